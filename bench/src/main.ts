// pnpm bench [--quick] [codec|kafka|amqp ...]: runs the selected parts (all by default),
// prints their tables and writes everything measured to bench/results/<timestamp>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCodec } from "./codec.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const parts = args.filter((a) => !a.startsWith("--"));
const wants = (part: string) => parts.length === 0 || parts.includes(part);

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  quick,
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
};

if (wants("codec")) results.codec = runCodec(quick ? 100 : 500);
if (wants("kafka")) results.kafka = await (await import("./kafka.js")).runKafka(quick);
if (wants("amqp")) results.amqp = await (await import("./amqp.js")).runAmqp(quick);

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${(results.startedAt as string).replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify(results, (_, v) => (typeof v === "bigint" ? String(v) : v), 2),
);
console.log(`\nresults: ${file}`);
