// Gap detection on real Kafka with three partitions: one source's sequences arrive
// interleaved across partitions (out of order), and a range is dropped on purpose. Exactly
// that range is reported, once, and nothing else.
import { randomUUID } from "node:crypto";
import { encodeEnvelope } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { afterAll, describe, expect, it } from "vitest";
import { createConsumer } from "./consumer.js";
import type { GapEvent } from "./gap-detector.js";
import { linkEvent, until } from "./test-support.js";

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

describe("gap detection on Kafka", () => {
  it("names the dropped range of sequences despite reordering across partitions", async () => {
    const destination = `consumer-gap-${randomUUID().slice(0, 8)}`;
    const transport = createKafkaTransport({ brokers: process.env.KAFKA_BROKERS! });
    closers.push(() => transport.close());
    await transport.ensureDestinations([{ name: destination, partitions: 3 }]);
    const kept = Array.from({ length: 600 }, (_, i) => i + 1).filter((s) => s < 201 || s > 230);
    const records = kept.map((s) => {
      const envelope = linkEvent(s % 2 === 0, `link-${s % 17}`, { sequence: BigInt(s), source: "ctl-a" });
      const { value, headers } = encodeEnvelope(envelope);
      return { destination, key: envelope.key, value, headers };
    });
    for (let i = 0; i < records.length; i += 100) await transport.send(records.slice(i, i + 100));

    const gaps: GapEvent[] = [];
    const consumer = createConsumer({
      transport,
      group: `${destination}-g`,
      destinations: [destination],
      from: "beginning",
      // The backlog ends, and then no partition brings anything more: after laneIdleMs none
      // holds the hole any longer (the default, 30 s, would outlast this test's wait).
      gaps: { reorderWindowMs: 1000, laneIdleMs: 3000 },
    })
      .on("*", () => {})
      .onGap((gap) => {
        gaps.push(gap);
      });
    closers.push(() => consumer.stop());
    await consumer.start();
    await until(() => consumer.stats().handled === kept.length, 60_000, "every event");
    await until(() => gaps.length >= 1, 5000, "the gap report");
    expect(gaps).toEqual([{ source: "ctl-a", from: 201n, to: 230n, missing: 30n }]);
    expect(consumer.stats()).toMatchObject({ gaps: 1, sequenceDuplicates: 0 });
  });
});
