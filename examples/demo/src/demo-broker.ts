// Where the demo's events travel: the embedded memory broker, a Kafka (KAFKA_BROKERS, or one
// started for the run from the Maven Central jars), or a RabbitMQ (AMQP_URL). Each part of the
// demo (producer, each consumer instance, the status table) gets a transport of its own, as
// separate processes would.
//
// On real brokers the demo keeps out of everyone else's way: on Kafka its topics carry a
// per-run prefix (a new group reading "from the beginning" would otherwise read earlier runs);
// on RabbitMQ it uses its own exchange and destination names, and its group queues expire a
// minute after the run.
import { randomUUID } from "node:crypto";
import { createAmqpTransport, DEFAULT_AMQP_URL } from "@kytos-events/amqp";
import { type KafkaBroker, maskUrl, startKafka } from "@kytos-events/brokers";
import {
  createMemoryBroker,
  createMemoryTransport,
  type RoutingConfig,
  type Transport,
} from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import type { TransportKind } from "./options.js";

export interface DemoBroker {
  readonly kind: TransportKind;
  /** One line for the summary: what and where. */
  readonly description: string;
  /** Destination names of this run (the producer's lanes and the consumers agree on them). */
  readonly routing: RoutingConfig;
  /** Prefix of this run's consumer group names. */
  readonly groupPrefix: string;
  newTransport(role: string): Transport;
  /** Stops what the demo started (a self-started Kafka). */
  close(): Promise<void>;
}

const AMQP_QUEUE_EXPIRES_MS = 60_000;

export async function openDemoBroker(
  kind: TransportKind,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoBroker> {
  const run = randomUUID().slice(0, 8);
  if (kind === "memory") {
    const broker = createMemoryBroker();
    return {
      kind,
      description: "memory transport (in process, no broker)",
      routing: {},
      groupPrefix: "demo",
      newTransport: () => createMemoryTransport({ broker }),
      close: async () => {},
    };
  }
  if (kind === "kafka") return openKafka(run, log, env);
  const url = env.AMQP_URL || DEFAULT_AMQP_URL;
  const exchange = "kytos-demo.events";
  return {
    kind,
    description: `RabbitMQ at ${maskUrl(url)} (exchange ${exchange})`,
    routing: {
      nappDestination: "kytos-demo.{topic}",
      verboseDestination: "kytos-demo.events",
      statusDestination: "kytos-demo.status.{entity}",
    },
    groupPrefix: `demo-${run}`,
    newTransport: (role) =>
      createAmqpTransport({
        url,
        exchange,
        queueExpiresMs: AMQP_QUEUE_EXPIRES_MS,
        connectionName: `kytos-events-demo-${role}`,
      }),
    close: async () => {},
  };
}

async function openKafka(
  run: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<DemoBroker> {
  let own: KafkaBroker | undefined;
  let brokers = env.KAFKA_BROKERS;
  if (!brokers) {
    log(
      "KAFKA_BROKERS is not set: starting a single-node Kafka for this run (the first start fetches its jars)…",
    );
    const started = Date.now();
    own = await startKafka();
    brokers = own.brokers.join(",");
    log(`Kafka ${own.version} ready at ${brokers} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const prefix = `kytos-demo-${run}`;
  const address = brokers;
  return {
    kind: "kafka",
    description: own
      ? `Kafka ${own.version} at ${address} (started for this run), topics ${prefix}.*`
      : `Kafka at ${address}, topics ${prefix}.* (delete them when done)`,
    routing: {
      nappDestination: `${prefix}.{topic}`,
      verboseDestination: `${prefix}.kytos.events`,
      statusDestination: `${prefix}.kytos.status.{entity}`,
    },
    groupPrefix: prefix,
    newTransport: (role) => createKafkaTransport({ brokers: address, clientId: `kytos-events-demo-${role}` }),
    close: async () => {
      await own?.destroy();
    },
  };
}
