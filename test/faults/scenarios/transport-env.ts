// How a scenario's child process gets its transport: the test passes the broker in the
// environment (TRANSPORT=kafka with KAFKA_BROKERS, or TRANSPORT=amqp with AMQP_URL and
// AMQP_EXCHANGE), and both children build it the same way. The timeouts are short so a dead
// or frozen broker is noticed in seconds, not in the client libraries' default half minute.
import { createAmqpTransport } from "@kytos-events/amqp";
import type { Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";

export type TransportKind = "kafka" | "amqp";

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`fault scenario child: set ${name}`);
  return value;
}

export function transportKind(): TransportKind {
  const kind = required("TRANSPORT");
  if (kind !== "kafka" && kind !== "amqp") throw new Error(`TRANSPORT must be kafka or amqp, got ${kind}`);
  return kind;
}

/** The producer side's transport. */
export function producerTransport(): Transport {
  if (transportKind() === "kafka") {
    return createKafkaTransport({
      brokers: required("KAFKA_BROKERS"),
      clientId: `faults-producer-${process.pid}`,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      sendRetryTimeMs: 2000,
    });
  }
  return createAmqpTransport({
    url: required("AMQP_URL"),
    exchange: required("AMQP_EXCHANGE"),
    connectionTimeoutMs: 2000,
    heartbeatSeconds: 5,
  });
}

/**
 * The consumer side's transport. On RabbitMQ the group's queue has a single active consumer,
 * the setting under which the SDK promises per-key order on a shared queue.
 */
export function consumerTransport(): Transport {
  if (transportKind() === "kafka") {
    return createKafkaTransport({
      brokers: required("KAFKA_BROKERS"),
      clientId: `faults-consumer-${process.pid}`,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      // Kafka's smallest group session by default (group.min.session.timeout.ms): a killed member leaves quickly.
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    });
  }
  return createAmqpTransport({
    url: required("AMQP_URL"),
    exchange: required("AMQP_EXCHANGE"),
    singleActiveConsumer: true,
    connectionTimeoutMs: 2000,
    heartbeatSeconds: 5,
    queueExpiresMs: 10 * 60_000,
  });
}
