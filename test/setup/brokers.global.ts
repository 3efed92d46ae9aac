// vitest globalSetup for the `integration` project: every integration test talks to a real
// Kafka and a real RabbitMQ. Kafka is `KAFKA_BROKERS` when set, else a broker started here
// from the Maven Central jars and stopped at the end. RabbitMQ is `AMQP_URL` (default
// guest@127.0.0.1), started with rabbitmq-server if installed and not running. A broker that
// cannot be reached fails the run, with or without CI=true: an integration test is never
// skipped for want of a broker.
//
// Test files read `process.env.KAFKA_BROKERS` / `process.env.AMQP_URL` (workers inherit them)
// or `inject("kafkaBrokers")` / `inject("amqpUrl")`.
//
// For test authors: tests that stop, kill, pause or restart Kafka start their OWN broker with
// `startKafka()` from @kytos-events/brokers (and destroy it in afterAll/afterEach); they never
// touch the shared one. RabbitMQ outage tests use `rabbitmqctl stop_app` / `start_app` on the
// one local node and always start it again in `finally` (files run one at a time, so no other
// file sees the outage).
import {
  DEFAULT_AMQP_URL,
  ensureRabbitMQ,
  type KafkaBroker,
  maskUrl,
  startKafka,
  waitForKafka,
} from "@kytos-events/brokers";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of the Kafka every test shares. */
    kafkaBrokers: string;
    /** The RabbitMQ URL every test shares (with its credentials). */
    amqpUrl: string;
  }
}

let broker: KafkaBroker | undefined;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function attachOrStartKafka(): Promise<string> {
  const started = Date.now();
  const given = process.env.KAFKA_BROKERS;
  if (given) {
    try {
      await waitForKafka(given.split(","), { timeoutMs: 15_000 });
    } catch (err) {
      throw new Error(
        `KAFKA_BROKERS=${given} is not reachable (${(err as Error).message}): start that Kafka, or unset KAFKA_BROKERS to let the tests start their own.`,
      );
    }
    console.log(`[brokers] Kafka (external): using KAFKA_BROKERS=${given}, answered in ${seconds(started)}`);
    return given;
  }
  try {
    broker = await startKafka();
  } catch (err) {
    throw new Error(
      `the integration tests need a Kafka and could not start one: ${(err as Error).message}\n` +
        "Fix the cause above, or point KAFKA_BROKERS at a running Kafka (e.g. `docker compose up -d`).",
    );
  }
  const address = broker.brokers.join(",");
  console.log(
    `[brokers] Kafka ${broker.version}: started at ${address} in ${seconds(started)} (log ${broker.logFile})`,
  );
  return address;
}

async function attachRabbitMQ(): Promise<string> {
  const started = Date.now();
  const url = process.env.AMQP_URL || DEFAULT_AMQP_URL;
  const rabbit = await ensureRabbitMQ(url);
  console.log(
    `[brokers] RabbitMQ ${rabbit.version}: ${rabbit.started ? "started" : "using"} ${maskUrl(url)} in ${seconds(started)}`,
  );
  return url;
}

export async function setup(project: TestProject): Promise<void> {
  try {
    const kafkaBrokers = await attachOrStartKafka();
    const amqpUrl = await attachRabbitMQ();
    process.env.KAFKA_BROKERS = kafkaBrokers;
    process.env.AMQP_URL = amqpUrl;
    project.provide("kafkaBrokers", kafkaBrokers);
    project.provide("amqpUrl", amqpUrl);
  } catch (err) {
    // vitest runs no teardown for a setup that threw; the broker must not wait for process exit.
    await teardown();
    throw err;
  }
}

export async function teardown(): Promise<void> {
  await broker?.destroy();
  broker = undefined;
}
