// vitest globalSetup for the `integration` project: every integration test talks to a real
// Kafka and a real RabbitMQ. Kafka is `KAFKA_BROKERS` when set, else a broker started here
// from the Maven Central jars and stopped at the end. RabbitMQ is `AMQP_URL` (default
// guest@127.0.0.1), started with rabbitmq-server if installed and not running. A broker that
// cannot be reached is a failure, never a skip.
//
// For test authors: tests that stop, kill, pause or restart Kafka start their OWN broker with
// `startKafka()` from @kytos-events/brokers and never touch the shared one. RabbitMQ outage
// tests use `rabbitmqctl stop_app` / `start_app` on the one local node and always start it
// again in `finally` (files run one at a time, so no other file sees the outage).
import {
  DEFAULT_AMQP_URL,
  ensureRabbitMQ,
  type KafkaBroker,
  maskUrl,
  startKafka,
} from "@kytos-events/brokers";
import { Kafka, logLevel } from "kafkajs";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string;
    amqpUrl: string;
  }
}

let broker: KafkaBroker | undefined;

async function checkKafka(brokers: string): Promise<void> {
  const kafka = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    throw new Error(
      `KAFKA_BROKERS=${brokers} is not reachable (${(err as Error).message}): start it, or unset KAFKA_BROKERS to let the tests start their own Kafka.`,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function setup(project: TestProject): Promise<void> {
  let started = Date.now();
  let kafkaBrokers = process.env.KAFKA_BROKERS;
  if (kafkaBrokers) {
    await checkKafka(kafkaBrokers);
    console.log(`[brokers] Kafka: using KAFKA_BROKERS=${kafkaBrokers}`);
  } else {
    broker = await startKafka();
    kafkaBrokers = broker.brokers.join(",");
    console.log(
      `[brokers] Kafka ${broker.version}: started at ${kafkaBrokers} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  started = Date.now();
  const amqpUrl = process.env.AMQP_URL ?? DEFAULT_AMQP_URL;
  const rabbit = await ensureRabbitMQ(amqpUrl);
  console.log(
    `[brokers] RabbitMQ ${rabbit.version}: ${rabbit.started ? "started" : "using"} ${maskUrl(amqpUrl)}` +
      (rabbit.started ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ""),
  );
  // Workers inherit the environment; inject() is the typed way for tests that prefer it.
  process.env.KAFKA_BROKERS = kafkaBrokers;
  process.env.AMQP_URL = amqpUrl;
  project.provide("kafkaBrokers", kafkaBrokers);
  project.provide("amqpUrl", amqpUrl);
}

export async function teardown(): Promise<void> {
  if (broker) {
    await broker.destroy();
    broker = undefined;
  }
}
