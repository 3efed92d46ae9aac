#!/usr/bin/env -S npx tsx
// `pnpm --filter @kytos-events/brokers brokers up`: starts a Kafka for development and the
// examples, prints where it is, and keeps it running until Ctrl-C, which stops it and deletes
// its data. `brokers fetch` only downloads the jars (warms the cache).
import { DEFAULT_KAFKA_VERSION, startKafka } from "./kafka-broker.js";
import { fetchKafkaJars } from "./maven-fetch.js";

const USAGE = "usage: brokers [up|fetch]   (environment: KAFKA_VERSION, KAFKA_PORT)";

function portFromEnv(): number | undefined {
  const text = process.env.KAFKA_PORT;
  if (!text) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`KAFKA_PORT=${text} is not a TCP port (1-65535).`);
  }
  return port;
}

async function up(version: string): Promise<void> {
  const port = portFromEnv();
  const started = Date.now();
  const broker = await startKafka({ version, ...(port ? { port } : {}) });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `Kafka ${version} ready in ${seconds} s (pid ${broker.pid}, log ${broker.logFile}); Ctrl-C stops it`,
  );
  console.log(`KAFKA_BROKERS=${broker.brokers.join(",")}`);
  const shutdown = () => {
    void broker.destroy().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? "up";
  const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
  if (command === "fetch") console.log(await fetchKafkaJars(version));
  else if (command === "up") await up(version);
  else {
    console.error(USAGE);
    process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
