// Part 1b, compression: bytes per event after gzip, snappy, lz4 and zstd for each
// representative event in batches of 500 (a Kafka batch: 500 envelopes of one type with
// distinct ids and sequences, Protobuf binary, concatenated), with the compression time per
// event; then a Kafka round trip per codec: link_down events produced with it (acks=all,
// 500 per request), read back and decoded, and the bytes the broker stored on disk.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createEnvelope, decodeEnvelope, encodeEnvelope } from "@kytos-events/core";
import { type EventName, fromKytosJson } from "@kytos-events/schema";
import { kytosEventFixtures } from "@kytos-events/schema/fixtures";
import type { IHeaders } from "kafkajs";
import { CODECS, type CodecName, compressBatch, KAFKA_TYPE, registerKafkaCodecs } from "./kafka-codecs.js";
import { createTopics, rawKafka, until } from "./kafka-fixtures.js";
import { keyedRecords } from "./keyed-events.js";
import { fmt } from "./measure.js";
import { kafkaBrokers, kafkaDataDir } from "./shared-kafka.js";
import { printTable } from "./table.js";
import { EVENT } from "./workload.js";

const EVENTS: readonly EventName[] = [
  "kytos/topology.link_down",
  "kytos/core.switch.new",
  "kytos/topology.updated",
  "kytos/mef_eline.deployed",
  "kytos/flow_manager.flow.added",
];
const BATCH = 500;

export interface SizeResult {
  readonly event: string;
  readonly codec: CodecName | "none";
  readonly bytesPerEvent: number;
  readonly microsPerEvent: number;
}

export interface RoundTripResult {
  readonly codec: CodecName | "none";
  readonly events: number;
  readonly produceSeconds: number;
  readonly consumeSeconds: number;
  /** Bytes of the topic's log segments on the broker's disk, per event; undefined on an external broker. */
  readonly diskBytesPerEvent: number | undefined;
  /** Why the round trip failed (the broker or kafkajs refused the codec), if it did. */
  readonly error?: string;
}

export async function runCompression(
  quick: boolean,
): Promise<{ sizes: SizeResult[]; kafka: RoundTripResult[] }> {
  const sizes: SizeResult[] = [];
  for (const event of EVENTS) sizes.push(...(await sizesFor(event, quick ? 5 : 20)));
  printTable(
    `Compressed size (batches of ${BATCH} Protobuf binary envelopes of one event type)`,
    ["event", "codec", "B/event", "µs/event to compress (best of rounds)"],
    sizes.map((s) => [s.event, s.codec, s.bytesPerEvent.toFixed(1), s.microsPerEvent.toFixed(2)]),
  );
  const kafka = await roundTrips(quick ? 5_000 : 20_000);
  printTable(
    `Kafka round trip per codec (${fmt(kafka[0]?.events ?? 0)} ${EVENT} events, 500 per request, acks=all)`,
    ["codec", "events", "produce s", "produce ev/s", "consume s", "consume ev/s", "on disk B/event"],
    kafka.map((r) =>
      r.error !== undefined
        ? [r.codec, r.events, "failed", r.error.slice(0, 60), "", "", ""]
        : [
            r.codec,
            r.events,
            r.produceSeconds.toFixed(2),
            fmt(r.events / r.produceSeconds),
            r.consumeSeconds.toFixed(2),
            fmt(r.events / r.consumeSeconds),
            r.diskBytesPerEvent === undefined ? "—" : r.diskBytesPerEvent.toFixed(1),
          ],
    ),
  );
  return { sizes, kafka };
}

async function sizesFor(name: EventName, rounds: number): Promise<SizeResult[]> {
  const fixture = kytosEventFixtures.find((f) => f.name === name);
  if (fixture === undefined) throw new Error(`no fixture for ${name}`);
  const payload = fromKytosJson(name, fixture.content);
  const values: Uint8Array[] = [];
  for (let i = 0; i < BATCH; i++) {
    const envelope = createEnvelope({ type: name, payload, source: "bench", sequence: BigInt(i + 1) });
    values.push(encodeEnvelope(envelope).value);
  }
  const batch = Buffer.concat(values);
  const results: SizeResult[] = [
    { event: name, codec: "none", bytesPerEvent: batch.byteLength / BATCH, microsPerEvent: 0 },
  ];
  for (const codec of CODECS) {
    const compressed = await compressBatch(codec, batch);
    // The fastest of the rounds: on a shared machine the others mostly measure preemption.
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      await compressBatch(codec, batch);
      best = Math.min(best, performance.now() - start);
    }
    const micros = (best * 1000) / BATCH;
    results.push({
      event: name,
      codec,
      bytesPerEvent: compressed.byteLength / BATCH,
      microsPerEvent: micros,
    });
  }
  return results;
}

async function roundTrips(events: number): Promise<RoundTripResult[]> {
  registerKafkaCodecs();
  const brokers = await kafkaBrokers();
  const kafka = rawKafka(brokers, "bench-compression");
  const admin = kafka.admin();
  const run = `${Date.now()}`;
  const codecs: (CodecName | "none")[] = ["none", ...CODECS];
  const topic = (codec: string) => `bench.${run}.compression.${codec}`;
  const results: RoundTripResult[] = [];
  await admin.connect();
  try {
    await createTopics(admin, codecs.map(topic), 1);
    for (const codec of codecs) {
      try {
        results.push(await roundTrip(kafka, topic(codec), codec, events));
      } catch (err) {
        const error = `${(err as Error).name}: ${(err as Error).message}`;
        results.push({
          codec,
          events,
          produceSeconds: 0,
          consumeSeconds: 0,
          diskBytesPerEvent: undefined,
          error,
        });
      }
    }
    await admin.deleteTopics({ topics: codecs.map(topic) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  return results;
}

async function roundTrip(
  kafka: ReturnType<typeof rawKafka>,
  name: string,
  codec: CodecName | "none",
  events: number,
): Promise<RoundTripResult> {
  const topic = (_: string) => name;
  const records = keyedRecords(topic(codec), events, 1000);
  const messages = records.map((r) => ({
    key: r.key ?? null,
    value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
    headers: r.headers as IHeaders,
  }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const produceStart = performance.now();
  try {
    for (let i = 0; i < messages.length; i += BATCH) {
      await producer.send({
        topic: topic(codec),
        acks: -1,
        compression: KAFKA_TYPE[codec],
        messages: messages.slice(i, i + BATCH),
      });
    }
  } finally {
    await producer.disconnect();
  }
  const produceSeconds = (performance.now() - produceStart) / 1000;
  const consumeSeconds = await readBack(kafka, topic(codec), events);
  return {
    codec,
    events,
    produceSeconds,
    consumeSeconds,
    diskBytesPerEvent: diskBytes(topic(codec)) / events || undefined,
  };
}

/** Reads the topic from the beginning, decoding every envelope; seconds from first to last batch. */
async function readBack(kafka: ReturnType<typeof rawKafka>, topic: string, events: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 250 });
  let seen = 0;
  let bad = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const m of batch.messages) {
          const value = m.value ?? Buffer.alloc(0);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
          if (!decodeEnvelope(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), headers).ok)
            bad++;
        }
        seen += batch.messages.length;
        if (seen >= events && last === 0) last = performance.now();
      },
    });
    await until(() => last !== 0, 120_000, `${topic} to be read back`);
  } finally {
    await consumer.disconnect();
  }
  if (bad > 0) throw new Error(`bench: ${bad} envelopes from ${topic} did not decode`);
  return (last - first) / 1000;
}

/** Sum of the topic's .log segment files on the self-started broker; 0 when unknown. */
function diskBytes(topic: string): number {
  const dir = kafkaDataDir();
  if (dir === undefined) return 0;
  let total = 0;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(`${topic}-`)) continue;
    for (const file of readdirSync(join(dir, entry))) {
      if (file.endsWith(".log")) total += statSync(join(dir, entry, file)).size;
    }
  }
  return total;
}
