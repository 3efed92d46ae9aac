// @kytos-events/kafka: the kytos-events Transport on Apache Kafka (kafkajs).
export type { KafkaSaslConfig, KafkaTlsConfig, KafkaTransportConfig } from "./config.js";
export type { KafkaSubscription } from "./kafka-subscription.js";
export type { KafkaSubscribeOptions } from "./kafka-transport.js";
export { createKafkaTransport, KafkaTransport } from "./kafka-transport.js";
