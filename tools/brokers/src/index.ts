// Brokers for tests and development without Docker: a real Apache Kafka started from the
// Maven Central jars, the local RabbitMQ, and private RabbitMQ nodes for tests that crash or
// reconfigure one.
export { freePort } from "./free-port.js";
export type { KafkaBrokerOptions } from "./kafka-broker.js";
export { DEFAULT_KAFKA_VERSION, KafkaBroker, startKafka } from "./kafka-broker.js";
export type { WaitForKafkaOptions } from "./kafka-ready.js";
export { waitForKafka, waitForTopicLeaders } from "./kafka-ready.js";
export { maskUrl } from "./mask-url.js";
export { cacheRoot, fetchKafkaJars } from "./maven-fetch.js";
export type { RabbitMQInfo } from "./rabbitmq.js";
export { DEFAULT_AMQP_URL, ensureRabbitMQ } from "./rabbitmq.js";
export type { RabbitMQNodeOptions, RabbitMQTlsListener } from "./rabbitmq-node.js";
export { RabbitMQNode, startRabbitMQ } from "./rabbitmq-node.js";
export type { TestCertificates } from "./test-certificates.js";
export { makeTestCertificates } from "./test-certificates.js";
