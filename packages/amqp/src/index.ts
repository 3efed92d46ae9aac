// @kytos-events/amqp: the kytos-events Transport on RabbitMQ (AMQP 0-9-1, amqplib).

export { AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
export type { AmqpTlsConfig, AmqpTransportConfig } from "./config.js";
