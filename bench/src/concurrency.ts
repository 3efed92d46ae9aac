// Part 5, key-ordered concurrency: one partition, a handler that waits 5 ms, 1000 distinct
// keys; the consumer SDK at concurrency 1, 8, 64 and 256. On the in-memory transport (the
// scheduler alone) and on real Kafka (what a deployment sees: one partition, many links).
// Each run reads a pre-filled destination from the beginning with a fresh group for a fixed
// window (or until the destination is drained) and counts handled events.

import { createConsumer } from "@kytos-events/consumer";
import { createMemoryTransport, type OutboundRecord, type Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createTopics, preload, rawKafka, until } from "./kafka-fixtures.js";
import { keyedRecords } from "./keyed-events.js";
import { fmt } from "./measure.js";
import { kafkaBrokers } from "./shared-kafka.js";
import { printTable } from "./table.js";
import { EVENT } from "./workload.js";

const LEVELS = [1, 8, 64, 256] as const;
const KEYS = 1000;
const HANDLER_MS = 5;

export interface ConcurrencyResult {
  readonly transport: "memory" | "kafka";
  readonly concurrency: number;
  readonly handled: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Throughput over the same transport's concurrency 1. */
  readonly speedup: number;
}

export async function runConcurrency(quick: boolean): Promise<ConcurrencyResult[]> {
  const windowMs = quick ? 1_000 : 3_000;
  // Enough for the fastest level to run the whole window (256 / 5 ms ≈ 50 k/s at most).
  const events = quick ? 20_000 : 80_000;
  const results: Omit<ConcurrencyResult, "speedup">[] = [];

  const memory = createMemoryTransport();
  const memTopic = "bench.concurrency";
  await memory.ensureDestinations([{ name: memTopic, partitions: 1 }]);
  const records = keyedRecords(memTopic, events, KEYS);
  for (let i = 0; i < records.length; i += 1000) await memory.send(records.slice(i, i + 1000));
  for (const c of LEVELS) results.push(await measure("memory", memory, memTopic, c, events, windowMs));
  await memory.close();

  const brokers = await kafkaBrokers();
  const kafka = rawKafka(brokers);
  const admin = kafka.admin();
  const topic = `bench.${Date.now()}.concurrency`;
  await admin.connect();
  try {
    await createTopics(admin, [topic], 1);
    await preload(kafka, retarget(records, topic));
    const transport = createKafkaTransport({ brokers, clientId: "bench-concurrency" });
    try {
      for (const c of LEVELS) results.push(await measure("kafka", transport, topic, c, events, windowMs));
    } finally {
      await transport.close();
    }
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }

  const withSpeedup = results.map((r) => {
    const base = results.find((b) => b.transport === r.transport && b.concurrency === 1)?.perSecond ?? 1;
    return { ...r, speedup: r.perSecond / base };
  });
  printTable(
    `Key-ordered concurrency (1 partition, ${KEYS} keys, handler awaits ${HANDLER_MS} ms)`,
    ["transport", "concurrency", "handled", "seconds", "events/s", "× concurrency 1"],
    withSpeedup.map((r) => [
      r.transport,
      r.concurrency,
      r.handled,
      r.seconds.toFixed(2),
      fmt(r.perSecond),
      r.speedup.toFixed(1),
    ]),
  );
  return withSpeedup;
}

function retarget(records: readonly OutboundRecord[], destination: string): OutboundRecord[] {
  return records.map((r) => ({ ...r, destination }));
}

async function measure(
  kind: "memory" | "kafka",
  transport: Transport,
  destination: string,
  concurrency: number,
  events: number,
  windowMs: number,
): Promise<Omit<ConcurrencyResult, "speedup">> {
  let handled = 0;
  let first = 0;
  let last = 0;
  const consumer = createConsumer({
    transport,
    group: `bench.concurrency.${kind}.${concurrency}.${Date.now()}`,
    destinations: [destination],
    from: "beginning",
    concurrency,
    // Room for every running handler and a queue behind them: delivery is not the limit.
    maxInFlight: Math.max(256, concurrency * 4),
  }).on(EVENT, async () => {
    if (first === 0) first = performance.now();
    await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
    handled++;
    last = performance.now();
  });
  await consumer.start();
  try {
    await until(() => first !== 0, 120_000, `the first ${kind} record at concurrency ${concurrency}`);
    const deadline = first + windowMs;
    await until(() => performance.now() >= deadline || handled >= events, windowMs + 60_000, "the window");
  } finally {
    await consumer.stop({ timeoutMs: 5_000 });
  }
  // Counted up to the last completion inside the window: handlers still sleeping at the
  // deadline are neither counted nor timed.
  const seconds = (last - first) / 1000;
  return { transport: kind, concurrency, handled, seconds, perSecond: handled / seconds };
}
