#!/usr/bin/env -S npx tsx
// `pnpm brokers up`: starts a Kafka for development and examples, prints where it is, and keeps
// it running until Ctrl-C. `pnpm brokers fetch` only downloads the jars (warms the cache).
import { DEFAULT_KAFKA_VERSION, startKafka } from "./kafka-broker.js";
import { fetchKafkaJars } from "./maven-fetch.js";

const command = process.argv[2] ?? "up";
const version = process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
const port = process.env.KAFKA_PORT ? Number(process.env.KAFKA_PORT) : undefined;

if (command === "fetch") {
  console.log(await fetchKafkaJars(version));
} else if (command === "up") {
  const started = Date.now();
  const broker = await startKafka({ version, ...(port ? { port } : {}) });
  console.log(
    `Kafka ${version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${broker.logFile})`,
  );
  console.log(`KAFKA_BROKERS=${broker.brokers.join(",")}`);
  const shutdown = async () => {
    await broker.destroy();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} else {
  console.error("usage: brokers [up|fetch]   (KAFKA_VERSION, KAFKA_PORT to choose)");
  process.exit(2);
}
