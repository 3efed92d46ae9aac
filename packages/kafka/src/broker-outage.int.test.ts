// A broker outage mid-stream loses nothing and keeps per-key order. Events are published into
// core's bounded OutageBuffer (publishing never waits on the broker); one pump sends batches
// with withRetry + BackoffPolicy and, on a retriable SendError, puts the records the broker did
// not accept back at the front, in order. The dedicated broker goes away while events keep
// coming (a clean stop, then a crash: SIGKILL) and is started again; a consumer then reads the
// whole topic from the beginning and every event is there once, in per-key order.
import { randomUUID } from "node:crypto";
import { type KafkaBroker, startKafka } from "@kytos-events/brokers";
import {
  BackoffPolicy,
  type InboundRecord,
  OutageBuffer,
  type OutboundRecord,
  SendError,
  withRetry,
} from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../test-fixtures/wait-for.js";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const KEYS = 16;
const PARTITIONS = 3;
/** Events published per tick of the publisher (every 10 ms): about 400 events/s. */
const PER_TICK = 4;

let broker: KafkaBroker;
const transports: KafkaTransport[] = [];

beforeAll(async () => {
  broker = await startKafka();
});

afterAll(async () => {
  await Promise.allSettled(transports.map((t) => t.close()));
  await broker?.destroy();
});

function transport(config: Omit<Parameters<typeof createKafkaTransport>[0], "brokers"> = {}): KafkaTransport {
  const t = createKafkaTransport({ brokers: broker.brokers, ...config });
  transports.push(t);
  return t;
}

interface PumpStats {
  accepted: number;
  /** Records a SendError reported as not accepted (retriable) and that went back to the buffer. */
  putBack: number;
  retriableFailures: number;
  notRetriable: unknown[];
}

/** Sends everything the buffer holds, oldest first, until `done()` and the buffer is empty. */
async function pump(
  transport: KafkaTransport,
  buffer: OutageBuffer<OutboundRecord>,
  stats: PumpStats,
  done: () => boolean,
): Promise<void> {
  const policy = new BackoffPolicy({ initialDelayMs: 50, maxDelayMs: 1000 });
  const sendOnce = async () => {
    const batch = buffer.takeBatch(200);
    if (batch.length === 0) return;
    try {
      await transport.send(batch);
      stats.accepted += batch.length;
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      const failed = err.failures.map((f) => batch[f.index]!);
      stats.accepted += batch.length - failed.length;
      if (!err.retriable) {
        stats.notRetriable.push(err);
        throw err;
      }
      // Failures are a suffix of the batch (the transport fails everything behind a failed
      // produce request), so putting them back in front keeps the publish order.
      buffer.putBack(failed);
      stats.putBack += failed.length;
      throw err;
    }
  };
  while (!(done() && buffer.size === 0)) {
    await Promise.race([buffer.waitForItems(), new Promise((r) => setTimeout(r, 50))]);
    await withRetry(sendOnce, policy, { onRetry: () => stats.retriableFailures++ });
  }
}

describe("kafka broker outage", () => {
  it.each([
    ["stops cleanly (SIGTERM)", () => broker.stop()],
    ["crashes (SIGKILL)", () => broker.kill()],
  ])(
    "loses no event and keeps per-key order when the broker %s mid-stream and comes back",
    async (how, interrupt) => {
      const topic = `outage-${randomUUID().slice(0, 8)}`;
      const producer = transport({
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 5000,
        sendRetryTimeMs: 2000,
      });
      await producer.ensureDestinations([{ name: topic, partitions: PARTITIONS }]);

      let dropped = 0;
      const buffer = new OutageBuffer<OutboundRecord>(
        { maxEvents: 100_000, overflow: "drop-newest" },
        (r) => r.value.byteLength + r.key.length,
        { onDrop: () => dropped++ },
      );
      const stats: PumpStats = { accepted: 0, putBack: 0, retriableFailures: 0, notRetriable: [] };
      const encoder = new TextEncoder();
      let published = 0;
      let publishing = true;
      const publisher = (async () => {
        while (publishing) {
          for (let i = 0; i < PER_TICK; i++) {
            const seq = published++;
            const key = `link-${seq % KEYS}`;
            buffer.offer({ destination: topic, key, value: encoder.encode(`${key}:${seq}`), headers: {} });
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const pumping = pump(producer, buffer, stats, () => !publishing);
      const progress = () =>
        `published=${published} accepted=${stats.accepted} buffered=${buffer.size} ` +
        `putBack=${stats.putBack} retries=${stats.retriableFailures}`;

      // Up and flowing.
      await waitFor(
        () => stats.accepted >= 500,
        30_000,
        () => `500 accepted before the outage (${progress()})`,
      );

      // Outage: the broker goes away while events keep coming; they wait in the buffer.
      await interrupt();
      const publishedAtStop = published;
      await waitFor(
        () => stats.retriableFailures >= 1 && published >= publishedAtStop + 1000 && buffer.size >= 500,
        60_000,
        () => `a retriable failure and 1000 events buffered during the outage (${progress()})`,
      );
      const heldDuringOutage = buffer.size;
      expect(broker.running).toBe(false);

      // Back: the pump drains the backlog in order while new events keep arriving.
      await broker.start();
      const acceptedAtRestart = stats.accepted;
      await waitFor(
        () => stats.accepted >= acceptedAtRestart + heldDuringOutage + 500,
        60_000,
        () => `the backlog and 500 new events accepted after the restart (${progress()})`,
      );
      publishing = false;
      await publisher;
      await waitFor(
        () => buffer.size === 0 && stats.accepted >= published,
        60_000,
        () => `the rest (${progress()})`,
      );
      await pumping;
      expect(stats.notRetriable).toEqual([]);
      expect(dropped).toBe(0);
      expect(buffer.totalDropped).toBe(0);
      expect(stats.accepted).toBe(published);

      // Everything on the broker, read back from the beginning by a new group.
      const admin = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const inTopic = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
      await admin.disconnect();
      const consumer = transport();
      const collector = new Collector(
        await consumer.subscribe({
          group: `outage-check-${topic}`,
          destinations: [topic],
          fromBeginning: true,
        }),
      );
      const acking = (async () => {
        let acked = 0;
        while (acked < inTopic) {
          await collector.count(acked + 1, 60_000);
          const batch = collector.records.slice(acked);
          await Promise.all(batch.map((r) => r.ack()));
          acked += batch.length;
        }
      })();
      await collector.count(inTopic, 60_000);
      await acking;
      await collector.close();

      const decoder = new TextDecoder();
      const seqOf = (r: InboundRecord) => Number(decoder.decode(r.value).split(":")[1]);
      const seen = new Set(collector.records.map(seqOf));
      const missing = Array.from({ length: published }, (_, s) => s).filter((s) => !seen.has(s));
      expect(missing).toEqual([]);

      // Per key: one partition, and first deliveries in publish order (a duplicate, if any, is a
      // later copy of a record the broker stored but whose acknowledgement the outage cut off).
      const byKey = new Map<string, { lanes: Set<string>; firsts: number[]; seen: Set<number> }>();
      for (const r of collector.records) {
        const key = r.key!;
        let k = byKey.get(key);
        if (!k) {
          k = { lanes: new Set(), firsts: [], seen: new Set() };
          byKey.set(key, k);
        }
        k.lanes.add(r.position.lane);
        const seq = seqOf(r);
        if (!k.seen.has(seq)) k.firsts.push(seq);
        k.seen.add(seq);
        expect(decoder.decode(r.value).startsWith(`${key}:`)).toBe(true);
      }
      expect(byKey.size).toBe(KEYS);
      for (const [key, k] of byKey) {
        expect(k.lanes.size, `partitions of ${key}`).toBe(1);
        expect(k.firsts, `order of ${key}`).toEqual([...k.firsts].sort((a, b) => a - b));
      }
      const duplicates = inTopic - published;
      // Only a put-back (re-sent) record can be on the broker twice.
      expect(duplicates).toBeGreaterThanOrEqual(0);
      expect(duplicates).toBeLessThanOrEqual(stats.putBack);
      console.info(
        `[broker-outage] broker ${how}: published=${published} delivered=${seen.size} lost=${missing.length} ` +
          `duplicates=${duplicates} heldDuringOutage=${heldDuringOutage} putBack=${stats.putBack} ` +
          `retriableFailures=${stats.retriableFailures} keys=${KEYS}`,
      );
    },
    240_000,
  );
});
