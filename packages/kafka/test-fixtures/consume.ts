// A consumer process for the consumer-crash test, meant to be killed (SIGKILL) mid-stream.
// It reads TOPIC in consumer group GROUP and handles records concurrently with random delays,
// so settlement finishes out of order. Handling a record = append
// "<value>\t<lane>\t<offset>\n" to OUT_FILE and fsync, and only then ack: any position the
// group commits covers records that are on disk in OUT_FILE.
//
// Run from the repository root: node --import tsx --conditions=@kytos-events/source
// packages/kafka/test-fixtures/consume.ts (node itself, not the tsx CLI, which would run the
// consumer in a grandchild that a SIGKILL of its parent would orphan).
//
// Env: KAFKA_BROKERS, TOPIC, GROUP, OUT_FILE (required); MAX_DELAY_MS (default 50),
// MAX_IN_FLIGHT (default 64).
import { fsyncSync, openSync, writeSync } from "node:fs";
import type { InboundRecord } from "@kytos-events/core";
import { createKafkaTransport } from "../src/index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`consume.ts: set ${name} (see the header of this file).`);
  return value;
}

const brokers = required("KAFKA_BROKERS");
const topic = required("TOPIC");
const group = required("GROUP");
const out = openSync(required("OUT_FILE"), "a");
const maxDelayMs = Number(process.env.MAX_DELAY_MS ?? 50);
const maxInFlight = Number(process.env.MAX_IN_FLIGHT ?? 64);
const decoder = new TextDecoder();

const transport = createKafkaTransport({
  brokers,
  clientId: `consume-fixture-${process.pid}`,
  // The broker's minimum session: a killed member leaves the group quickly.
  consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, commitIntervalMs: 50 },
});

async function handle(record: InboundRecord): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayMs));
  const { lane, offset } = record.position;
  writeSync(out, `${decoder.decode(record.value)}\t${lane}\t${offset}\n`);
  fsyncSync(out);
  try {
    await record.ack();
  } catch (err) {
    // The partition moved to another member: it redelivers from the last commit.
    process.stderr.write(`consume.ts: ack of ${lane}@${offset} refused: ${(err as Error).message}\n`);
  }
}

const subscription = await transport.subscribe({
  group,
  destinations: [topic],
  fromBeginning: true,
  maxInFlight,
});
process.on("SIGTERM", () => {
  void transport.close().then(() => process.exit(0));
});
process.stdout.write("subscribed\n");
for await (const record of subscription) void handle(record);
