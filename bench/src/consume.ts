// Part 4, consumer throughput on real Kafka: a 3-partition topic pre-loaded with link_down
// envelopes (1000 links), read from the beginning by a fresh group per contender:
// raw kafkajs eachBatch (no decoding; offsets resolved and committed per batch), the same
// decoding each record with core's decodeEnvelope, and the consumer SDK (kafka transport,
// at-least-once commits, a trivial handler) with the memory and then the Redis idempotency
// store. The clock runs from the first record seen to the last one handled.

import { createConsumer } from "@kytos-events/consumer";
import { RedisIdempotencyStore } from "@kytos-events/consumer/redis";
import { decodeEnvelope, type IdempotencyStore, MemoryIdempotencyStore } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { Redis } from "ioredis";
import type { EachBatchPayload, IHeaders, Kafka } from "kafkajs";
import { createTopics, preload, rawKafka, until } from "./kafka-fixtures.js";
import { keyedRecords } from "./keyed-events.js";
import { fmt } from "./measure.js";
import { kafkaBrokers } from "./shared-kafka.js";
import { printTable } from "./table.js";
import { EVENT, type ThroughputResult } from "./workload.js";

const PARTITIONS = 3;
const KEYS = 1000;
/** Longest a consumer SDK contender runs, from its first record. */
const SDK_CAP_MS = 20_000;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

interface Measured extends ThroughputResult {
  /** This process's CPU (user + system) per event from the first record to the last. */
  readonly cpuMicrosPerEvent: number;
}

export interface ConsumeResult extends Measured {
  readonly ratio: number;
  readonly cpuRatio: number;
}

export async function runConsume(quick: boolean): Promise<{ events: number; results: ConsumeResult[] }> {
  const events = quick ? 20_000 : 60_000;
  const brokers = await kafkaBrokers();
  const kafka = rawKafka(brokers);
  const admin = kafka.admin();
  const run = `${Date.now()}`;
  const topic = `bench.${run}.consume`;
  const results: Measured[] = [];
  await admin.connect();
  try {
    await createTopics(admin, [topic], PARTITIONS);
    await preload(kafka, keyedRecords(topic, events, KEYS));
    // One unmeasured read first: JIT, the broker's page cache and the group coordinator are
    // warm for every contender alike, not only for the ones after the first.
    await rawBatches(kafka, topic, events, `${run}.warm-up`, true);
    results.push(await rawBatches(kafka, topic, events, `${run}.raw`, false));
    results.push(await rawBatches(kafka, topic, events, `${run}.raw-decode`, true));
    results.push(await viaSdk(brokers, topic, events, `${run}.sdk-memory`, "memory"));
    results.push(await viaSdk(brokers, topic, events, `${run}.sdk-redis`, "redis"));
    // The idempotency batcher sends one pipeline per turn of the event loop, as large as the
    // handlers running at once: more concurrency, fewer Redis round trips per event.
    results.push(await viaSdk(brokers, topic, events, `${run}.sdk-redis-256`, "redis", 256));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const raw = results[0]?.perSecond ?? 1;
  const rawCpu = results[1]?.cpuMicrosPerEvent ?? 1;
  const withRatio = results.map((r) => ({
    ...r,
    ratio: r.perSecond / raw,
    cpuRatio: r.cpuMicrosPerEvent / rawCpu,
  }));
  printTable(
    `Kafka consumer (${fmt(events)} ${EVENT} events, ${PARTITIONS} partitions, ${KEYS} keys, from the beginning)`,
    ["contender", "events", "seconds", "events/s", "× raw eachBatch", "CPU µs/event", "CPU × raw + decode"],
    withRatio.map((r) => [
      r.contender,
      r.events,
      r.seconds.toFixed(2),
      fmt(r.perSecond),
      r.ratio.toFixed(2),
      r.cpuMicrosPerEvent.toFixed(1),
      r.cpuRatio.toFixed(2),
    ]),
  );
  return { events, results: withRatio };
}

const textDecoder = new TextDecoder();

function micros(used: NodeJS.CpuUsage, events: number): number {
  return (used.user + used.system) / events;
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) out[name] = typeof value === "string" ? value : textDecoder.decode(value);
  }
  return out;
}

/** kafkajs eachBatch, resolving every offset and committing once per batch (at-least-once). */
async function rawBatches(
  kafka: Kafka,
  topic: string,
  events: number,
  group: string,
  decode: boolean,
): Promise<Measured> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpu = process.cpuUsage();
  let failures = 0;
  const eachBatch = async ({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    uncommittedOffsets,
    heartbeat,
  }: EachBatchPayload) => {
    if (first === 0) {
      first = performance.now();
      cpu = process.cpuUsage();
    }
    for (const message of batch.messages) {
      if (decode) {
        const value = message.value ?? Buffer.alloc(0);
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        if (!decodeEnvelope(bytes, headerStrings(message.headers)).ok) failures++;
      }
      resolveOffset(message.offset);
    }
    await commitOffsetsIfNecessary(uncommittedOffsets());
    await heartbeat();
    seen += batch.messages.length;
    if (seen >= events && last === 0) {
      last = performance.now();
      cpu = process.cpuUsage(cpu);
    }
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    await until(() => last !== 0, 300_000, `${group} to read ${events} records`);
  } finally {
    await consumer.disconnect();
  }
  if (failures > 0) throw new Error(`bench: ${failures} records did not decode`);
  const seconds = (last - first) / 1000;
  const contender = decode ? "raw eachBatch + decodeEnvelope" : "raw kafkajs eachBatch (no decode)";
  return { contender, events, seconds, perSecond: events / seconds, cpuMicrosPerEvent: micros(cpu, events) };
}

/** The consumer SDK on the kafka transport: idempotency check and mark, at-least-once settlement. */
async function viaSdk(
  brokers: string,
  topic: string,
  events: number,
  group: string,
  store: "memory" | "redis",
  concurrency?: number,
): Promise<Measured> {
  const redis = store === "redis" ? new Redis(REDIS_URL, { lazyConnect: true }) : undefined;
  let idempotency: IdempotencyStore;
  if (redis) {
    await redis.connect();
    // Short TTL: the benchmark's ids expire by themselves shortly after the run.
    idempotency = new RedisIdempotencyStore({ client: redis, keyPrefix: `bench:${group}:`, ttlMs: 600_000 });
  } else {
    idempotency = new MemoryIdempotencyStore();
  }
  const transport = createKafkaTransport({ brokers, clientId: "bench-sdk" });
  let handled = 0;
  let counted = events;
  let first = 0;
  let last = 0;
  let cpu = process.cpuUsage();
  const consumer = createConsumer({
    transport,
    group,
    destinations: [topic],
    from: "beginning",
    idempotency,
    ...(concurrency !== undefined ? { concurrency, maxInFlight: concurrency * 4 } : {}),
  }).on(EVENT, () => {
    if (handled++ === 0) {
      first = performance.now();
      cpu = process.cpuUsage();
    }
    if (handled === events) {
      last = performance.now();
      cpu = process.cpuUsage(cpu);
    }
  });
  try {
    await consumer.start();
    // Capped so a slow store cannot stretch the run: the rate is then what was handled so far.
    const cap = Date.now() + SDK_CAP_MS;
    await until(() => last !== 0 || (first !== 0 && Date.now() > cap), 300_000, `${group} to handle events`);
    if (last === 0) {
      last = performance.now();
      cpu = process.cpuUsage(cpu);
      counted = handled;
    }
    const stats = consumer.stats();
    if (stats.duplicates > 0 || stats.deadLettered > 0) {
      throw new Error(
        `bench: ${group} saw ${stats.duplicates} duplicates, ${stats.deadLettered} dead letters`,
      );
    }
  } finally {
    await consumer.stop();
    await transport.close();
    await redis?.quit();
  }
  const seconds = (last - first) / 1000;
  return {
    contender:
      `consumer SDK, ${store === "memory" ? "MemoryIdempotencyStore" : "RedisIdempotencyStore"}` +
      (concurrency !== undefined ? `, concurrency ${concurrency}` : ""),
    events: counted,
    seconds,
    perSecond: counted / seconds,
    cpuMicrosPerEvent: micros(cpu, counted),
  };
}
