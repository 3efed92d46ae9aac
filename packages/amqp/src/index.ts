// @kytos-events/amqp: the kytos-events Transport on RabbitMQ (AMQP 0-9-1, amqplib).
export { AmqpTransport, createAmqpTransport } from "./amqp-transport.js";
export type { AmqpTlsConfig, AmqpTransportConfig } from "./config.js";
export { DEFAULT_AMQP_URL } from "./config.js";
export type { LastValue } from "./last-value.js";
export { bindingOf, routingKeyOf } from "./routing-keys.js";
