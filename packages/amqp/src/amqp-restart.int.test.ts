// A RabbitMQ restart in the middle of a stream (rabbitmqctl stop_app / start_app): the
// producer's sends fail as retriable while the broker is away and are resent in order; the
// transports reconnect, re-declare and resume consuming by themselves. Afterwards every event
// was delivered (duplicates allowed: at-least-once) and, per key, first deliveries are in
// send order. Files run one at a time, so no other test of this run sees the outage.
import { BackoffPolicy, Header, type OutboundRecord, SendError, sleep } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { describe, expect, it } from "vitest";
import { createAmqpTransport } from "./amqp-transport.js";
import {
  amqpUrl,
  recordingLogger,
  TEST_QUEUE_EXPIRES_MS,
  unique,
  withRabbitStopped,
} from "./test-support.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What the producer's outage buffer does with a rejected batch, in small: resend from the
 * first record the broker did not confirm, so nothing overtakes an unconfirmed record.
 * Resending records after it that were confirmed makes duplicates, never gaps or reordering.
 */
async function sendInOrder(
  send: (batch: readonly OutboundRecord[]) => Promise<void>,
  batch: readonly OutboundRecord[],
  counters: { rejections: number },
): Promise<void> {
  const policy = new BackoffPolicy({ initialDelayMs: 50, maxDelayMs: 1000, jitter: "none" });
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    try {
      await send(pending);
      return;
    } catch (err) {
      if (!(err instanceof SendError) || !err.retriable) throw err;
      counters.rejections++;
      pending = pending.slice(Math.min(...err.failures.map((f) => f.index)));
      await sleep(policy.nextDelay(attempt) ?? 1000);
    }
  }
}

describe("a RabbitMQ restart mid-stream", () => {
  it("loses no event and keeps each key's order, resending rejected batches in order", async () => {
    const fast = { initialDelayMs: 100, maxDelayMs: 1000 };
    const producerLog = recordingLogger();
    const consumerLog = recordingLogger();
    const producer = createAmqpTransport({
      url: amqpUrl(),
      reconnect: fast,
      logger: producerLog.logger,
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
    });
    const consumer = createAmqpTransport({
      url: amqpUrl(),
      reconnect: fast,
      logger: consumerLog.logger,
      queueExpiresMs: TEST_QUEUE_EXPIRES_MS,
    });
    const dest = unique("restart");
    const prefix = `kytos/${dest.replace("-", "_")}.`;
    const keys = Array.from({ length: 10 }, (_, i) => `link-${i}`);
    const total = 3000;
    const batchSize = 25;
    const counters = { rejections: 0 };
    try {
      for (const t of [producer, consumer]) {
        await t.connect();
        await t.ensureDestinations([{ name: dest, eventPrefixes: [prefix] }]);
      }
      const reader = new Collector(
        await consumer.subscribe({ group: unique("g"), destinations: [dest], maxInFlight: 500 }),
      );
      // Settle as records arrive; a record whose channel died with the broker cannot be acked
      // and comes again, which is the point.
      const acked = new Set<object>();
      const acking = setInterval(() => {
        for (const r of reader.records) {
          if (!acked.has(r)) {
            acked.add(r);
            r.ack().catch(() => {});
          }
        }
      }, 20);

      const events: OutboundRecord[] = Array.from({ length: total }, (_, n) => {
        const key = keys[n % keys.length]!;
        return {
          destination: dest,
          key,
          value: encoder.encode(`${key}:${Math.floor(n / keys.length)}`),
          headers: { [Header.EventType]: `${prefix}link_${n % 2 ? "up" : "down"}` },
        };
      });
      let sent = 0;
      // Paced like a controller's event stream (~600 events/s), so the stream is still
      // flowing when the broker goes away (rabbitmqctl itself takes a second to act).
      const producing = (async () => {
        for (let i = 0; i < total; i += batchSize) {
          await sendInOrder((b) => producer.send(b), events.slice(i, i + batchSize), counters);
          sent = i + batchSize;
          await sleep(40);
        }
      })();

      // Stop the broker once a quarter of the stream is out, keep it away while the producer
      // keeps trying, then bring it back.
      while (sent < total / 4) await sleep(10);
      await withRabbitStopped(async () => {
        const stoppedAt = sent;
        await sleep(2000);
        expect(sent, "no send can complete while the broker is stopped").toBe(stoppedAt);
      });
      await producing;
      expect(counters.rejections, "the outage rejected some sends").toBeGreaterThan(0);

      const distinct = () => new Set(reader.records.map((r) => decoder.decode(r.value)));
      await reader.until(() => distinct().size >= total, 60_000, `all ${total} distinct events`);
      clearInterval(acking);

      expect(distinct().size).toBe(total);
      for (const key of keys) {
        const firsts: number[] = [];
        const seen = new Set<string>();
        for (const r of reader.records) {
          const v = decoder.decode(r.value);
          if (r.key !== key || seen.has(v)) continue;
          seen.add(v);
          firsts.push(Number(v.split(":")[1]));
        }
        expect(firsts, `first deliveries of ${key} in send order`).toEqual(
          Array.from({ length: total / keys.length }, (_, i) => i),
        );
      }
      expect(producerLog.lines.some((l) => l.includes("reconnected"))).toBe(true);
      expect(consumerLog.lines.some((l) => l.includes("reconnected"))).toBe(true);
      await Promise.allSettled(reader.records.map((r) => r.ack()));
      await reader.close();
    } finally {
      await producer.close();
      await consumer.close();
    }
  }, 180_000);
});
