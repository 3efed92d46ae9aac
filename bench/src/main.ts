// pnpm bench [--quick] [codec|kafka|amqp|consume|concurrency|latency|memory|compression ...]:
// runs the selected parts (all by default), prints their tables and writes everything measured
// to bench/results/<timestamp>.json. The parts on Kafka share one broker (shared-kafka.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCodec } from "./codec.js";
import { kafkaBrokers, kafkaDescription, stopSharedKafka } from "./shared-kafka.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const parts = args.filter((a) => !a.startsWith("--"));
const wants = (part: string) => parts.length === 0 || parts.includes(part);

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  quick,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
};

const onKafka = ["kafka", "consume", "concurrency", "latency", "memory", "compression"];
const seconds: Record<string, number> = {};
results.seconds = seconds;
async function part(name: string, run: () => unknown): Promise<void> {
  if (!wants(name)) return;
  const start = performance.now();
  results[name] = await run();
  seconds[name] = Math.round((performance.now() - start) / 100) / 10;
  console.log(`\n(${name}: ${seconds[name]} s)`);
}

const total = performance.now();
try {
  if (onKafka.some(wants)) {
    await kafkaBrokers();
    results.kafkaBroker = kafkaDescription();
  }
  await part("codec", () => runCodec(quick ? 100 : 500));
  await part("compression", async () => (await import("./compression.js")).runCompression(quick));
  await part("kafka", async () => (await import("./kafka.js")).runKafka(quick));
  await part("amqp", async () => (await import("./amqp.js")).runAmqp(quick));
  await part("consume", async () => (await import("./consume.js")).runConsume(quick));
  await part("concurrency", async () => (await import("./concurrency.js")).runConcurrency(quick));
  await part("latency", async () =>
    (await import("./latency.js")).runLatency(quick, { kafkaScenarioB: !wants("memory") }),
  );
  await part("memory", async () => (await import("./memory.js")).runMemory(quick));
} finally {
  await stopSharedKafka();
}
seconds.total = Math.round((performance.now() - total) / 100) / 10;
console.log(`\ntotal: ${seconds.total} s`);

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${(results.startedAt as string).replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify(results, (_, v) => (typeof v === "bigint" ? String(v) : v), 2),
);
console.log(`\nresults: ${file}`);
