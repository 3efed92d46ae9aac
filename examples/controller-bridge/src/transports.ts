// The brokers the bridge talks to: the output transport the producer publishes typed events
// on (Kafka or RabbitMQ), and the Kafka it reads kafka_events' topic from.
import { createAmqpTransport } from "@kytos-events/amqp";
import type { Logger, Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { OutputTransportConfig } from "./bridge-config.js";

export function createOutputTransport(config: OutputTransportConfig, logger: Logger): Transport {
  if (config.kind === "kafka") {
    return createKafkaTransport({ brokers: config.brokers, clientId: "kytos-events-bridge", logger });
  }
  return createAmqpTransport({
    ...(config.url ? { url: config.url } : {}),
    ...(config.exchange ? { exchange: config.exchange } : {}),
    connectionName: "kytos-events-bridge",
    logger,
  });
}

export function createEventLogsTransport(brokers: string | readonly string[], logger: Logger): Transport {
  return createKafkaTransport({ brokers, clientId: "kytos-events-bridge-event-logs", logger });
}

/** Same settings: a reload can keep the connection. */
export function sameTransport(a: OutputTransportConfig, b: OutputTransportConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
