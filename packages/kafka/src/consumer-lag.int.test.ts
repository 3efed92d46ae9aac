// Consumer lag per partition on the real broker: the gauge a subscription reports equals the
// records of each partition the group has not handled — delivered-but-unsettled and not yet
// fetched alike — and falls to 0 once they are settled, and to 0 when the subscription closes.
import { randomUUID } from "node:crypto";
import { type InboundRecord, MetricName, RecordingMetrics } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const timeout = 60_000;
const encoder = new TextEncoder();
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

let transport: KafkaTransport;

beforeAll(async () => {
  transport = createKafkaTransport({ brokers });
  await transport.connect();
});

afterAll(async () => {
  await transport.close();
}, timeout);

const lagOf = (metrics: RecordingMetrics, topic: string, partition: number) =>
  metrics.gaugeValue(MetricName.ConsumerLag, { destination: topic, partition: String(partition) });

/** Resolves once `predicate` holds; rejects at the deadline naming what it waited for. */
async function waitUntil(predicate: () => boolean, what: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function produce(topic: string, count: number): Promise<void> {
  await transport.send(
    Array.from({ length: count }, (_, i) => ({
      destination: topic,
      key: `link-${i}`,
      value: encoder.encode(`record ${i}`),
      headers: {},
    })),
  );
}

function perPartition(records: readonly InboundRecord[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of records) {
    const partition = Number(r.position.lane.slice(r.position.lane.lastIndexOf("/") + 1));
    counts.set(partition, (counts.get(partition) ?? 0) + 1);
  }
  return counts;
}

describe("kafka consumer lag", () => {
  it(
    "reports per partition the records delivered but not settled, and 0 once they are acked",
    async () => {
      const topic = fresh("lag");
      await transport.ensureDestinations([{ name: topic, partitions: 3 }]);
      const n = 40;
      await produce(topic, n);
      const metrics = new RecordingMetrics();
      const c = new Collector(
        await transport.subscribe({
          group: fresh("lag"),
          destinations: [topic],
          fromBeginning: true,
          maxInFlight: 1000,
          metrics,
        }),
      );
      try {
        await c.count(n, timeout);
        const counts = perPartition(c.records);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(n);
        expect(counts.size, "keys spread over more than one partition").toBeGreaterThan(1);
        const lags = () => [0, 1, 2].map((p) => lagOf(metrics, topic, p) ?? 0);
        const expected = [0, 1, 2].map((p) => counts.get(p) ?? 0);
        await waitUntil(
          () => lags().join() === expected.join(),
          () => `lag ${expected} per partition (have ${lags()})`,
        );

        await Promise.all(c.records.map((r) => r.ack()));
        await waitUntil(
          () => lags().every((l) => l === 0),
          () => `lag 0 on every partition (have ${lags()})`,
        );
        expect(metrics.misuses).toEqual([]);
      } finally {
        await c.close();
      }
    },
    timeout,
  );

  it(
    "counts records not yet fetched behind a full maxInFlight, down to 0 as they are handled",
    async () => {
      const topic = fresh("lag-held");
      await transport.ensureDestinations([{ name: topic, partitions: 1 }]);
      const n = 12;
      await produce(topic, n);
      const metrics = new RecordingMetrics();
      const c = new Collector(
        await transport.subscribe({
          group: fresh("lag-held"),
          destinations: [topic],
          fromBeginning: true,
          maxInFlight: 2,
          metrics,
        }),
      );
      try {
        await c.count(2, timeout);
        // Two delivered and held, ten behind them on the broker: all twelve are unhandled.
        await waitUntil(
          () => lagOf(metrics, topic, 0) === n,
          () => `lag ${n} (have ${lagOf(metrics, topic, 0)})`,
        );
        expect(c.records).toHaveLength(2);
        for (let handled = 0; handled < n; handled++) {
          await c.count(handled + 1, timeout);
          await c.records[handled]!.ack();
        }
        await waitUntil(
          () => lagOf(metrics, topic, 0) === 0,
          () => `lag 0 (have ${lagOf(metrics, topic, 0)})`,
        );
      } finally {
        await c.close();
      }
    },
    timeout,
  );

  it(
    "reports 0 for its partitions once the subscription is closed, however far behind it was",
    async () => {
      const topic = fresh("lag-close");
      await transport.ensureDestinations([{ name: topic, partitions: 1 }]);
      await produce(topic, 5);
      const metrics = new RecordingMetrics();
      const c = new Collector(
        await transport.subscribe({
          group: fresh("lag-close"),
          destinations: [topic],
          fromBeginning: true,
          metrics,
        }),
      );
      await c.count(5, timeout);
      await waitUntil(
        () => lagOf(metrics, topic, 0) === 5,
        () => `lag 5 (have ${lagOf(metrics, topic, 0)})`,
      );
      await c.close();
      expect(lagOf(metrics, topic, 0)).toBe(0);
    },
    timeout,
  );
});
