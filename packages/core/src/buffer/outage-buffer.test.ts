import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MetricName } from "../metrics/metrics.js";
import { RecordingMetrics } from "../metrics/recording-metrics.js";
import { Deque } from "./deque.js";
import { type DropReason, OutageBuffer, type OutageBufferConfig } from "./outage-buffer.js";

interface Item {
  readonly n: number;
  readonly size: number;
}
const item = (n: number, size = 10): Item => ({ n, size });
const make = (config: OutageBufferConfig) => {
  const drops: [number, DropReason][] = [];
  const buffer = new OutageBuffer<Item>(config, (i) => i.size, { onDrop: (i, r) => drops.push([i.n, r]) });
  return { buffer, drops };
};
const all = (b: OutageBuffer<Item>) => b.takeBatch(Number.POSITIVE_INFINITY).map((i) => i.n);

describe("OutageBuffer overflow policies", () => {
  it("drop-oldest keeps the newest events in order and counts each drop", () => {
    const { buffer, drops } = make({ maxEvents: 3, overflow: "drop-oldest" });
    for (let n = 1; n <= 5; n++) expect(buffer.offer(item(n))).toBe(true);
    expect(all(buffer)).toEqual([3, 4, 5]);
    expect(buffer.dropped).toEqual({
      "overflow-oldest": 2,
      "overflow-newest": 0,
      "wait-timeout": 0,
      closed: 0,
    });
    expect(drops).toEqual([
      [1, "overflow-oldest"],
      [2, "overflow-oldest"],
    ]);
  });

  it("drop-newest keeps the oldest events and refuses the new ones", () => {
    const { buffer, drops } = make({ maxEvents: 3, overflow: "drop-newest" });
    const accepted = [1, 2, 3, 4, 5].map((n) => buffer.offer(item(n)));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(all(buffer)).toEqual([1, 2, 3]);
    expect(buffer.dropped["overflow-newest"]).toBe(2);
    expect(buffer.totalDropped).toBe(2);
    expect(drops.map(([n]) => n)).toEqual([4, 5]);
  });

  it("bounds by bytes as well as by count, and refuses an event larger than the byte bound", () => {
    const { buffer, drops } = make({ maxEvents: 100, maxBytes: 25, overflow: "drop-oldest" });
    for (let n = 1; n <= 4; n++) buffer.offer(item(n));
    expect([buffer.size, buffer.bytes]).toEqual([2, 20]);
    expect(buffer.offer(item(5, 26))).toBe(false);
    expect(all(buffer)).toEqual([3, 4]);
    expect(drops).toEqual([
      [1, "overflow-oldest"],
      [2, "overflow-oldest"],
      [5, "overflow-newest"],
    ]);
  });

  it("rejects impossible settings with a config error naming the setting", () => {
    expect(() => make({ maxEvents: 0 })).toThrow(/maxEvents/);
    expect(() => make({ maxEvents: 2.5 })).toThrow(/maxEvents/);
    expect(() => make({ maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => make({ waitTimeoutMs: -1 })).toThrow(/waitTimeoutMs/);
    expect(() => make({ overflow: "block" as never })).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID", message: expect.stringContaining('"block"') }),
    );
  });
});

describe("OutageBuffer wait policy", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("admits a waiting event when room appears before the deadline, and drops it at the deadline", async () => {
    const { buffer, drops } = make({ maxEvents: 1, overflow: "wait", waitTimeoutMs: 1000 });
    expect(await buffer.put(item(1))).toBe(true);
    const admitted = buffer.put(item(2));
    await vi.advanceTimersByTimeAsync(999);
    expect(buffer.takeBatch(1).map((i) => i.n)).toEqual([1]);
    expect(await admitted).toBe(true);

    const late = buffer.put(item(3));
    expect(buffer.waitingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await late).toBe(false);
    expect(drops).toEqual([[3, "wait-timeout"]]);
    expect(all(buffer)).toEqual([2]);
    expect(buffer.waitingCount).toBe(0);
  });

  it("keeps arrival order: a later event that would fit queues behind an earlier one that does not", async () => {
    const { buffer } = make({ maxEvents: 10, maxBytes: 30, overflow: "wait", waitTimeoutMs: 5000 });
    await buffer.put(item(1));
    await buffer.put(item(2));
    const admitted: number[] = [];
    const big = buffer.put(item(3, 25)).then(() => admitted.push(3));
    const small = buffer.put(item(4, 5)).then(() => admitted.push(4));
    expect(buffer.offer(item(5, 1))).toBe(false); // offer never waits and never jumps the line
    expect(buffer.takeBatch(1).map((i) => i.n)).toEqual([1]);
    expect(buffer.waitingCount).toBe(2);
    expect(buffer.takeBatch(1).map((i) => i.n)).toEqual([2]);
    await Promise.all([big, small]);
    expect(admitted).toEqual([3, 4]);
    expect(all(buffer)).toEqual([3, 4]);
    expect(buffer.dropped["overflow-newest"]).toBe(1);
  });

  it("lets the events behind an expired head in when they fit", async () => {
    const { buffer } = make({ maxEvents: 10, maxBytes: 30, overflow: "wait", waitTimeoutMs: 100 });
    await buffer.put(item(1, 20));
    const big = buffer.put(item(2, 25));
    await vi.advanceTimersByTimeAsync(50);
    const small = buffer.put(item(3, 5));
    await vi.advanceTimersByTimeAsync(50);
    expect(await big).toBe(false);
    expect(await small).toBe(true);
    expect(all(buffer)).toEqual([1, 3]);
  });

  it("bounds the wait line during a long outage and counts every event it could not take", async () => {
    const { buffer } = make({ maxEvents: 10, overflow: "wait", waitTimeoutMs: 1000 });
    for (let n = 0; n < 10; n++) await buffer.put(item(n));
    const puts = Array.from({ length: 1000 }, (_, n) => buffer.put(item(100 + n)));
    expect(buffer.waitingCount).toBe(10);
    await vi.advanceTimersByTimeAsync(1000);
    const results = await Promise.all(puts);
    expect(results.filter(Boolean)).toHaveLength(0);
    expect(buffer.dropped).toEqual({
      "overflow-oldest": 0,
      "overflow-newest": 990,
      "wait-timeout": 10,
      closed: 0,
    });
    expect(buffer.waitingCount).toBe(0);
    expect(buffer.size).toBe(10);
  });

  it("hands back held and waiting events on close, in order, and counts later offers as closed", async () => {
    const { buffer, drops } = make({ maxEvents: 2, overflow: "wait", waitTimeoutMs: 1000 });
    await buffer.put(item(1));
    await buffer.put(item(2));
    const waiting = buffer.put(item(3));
    expect(buffer.close().map((i) => i.n)).toEqual([1, 2, 3]);
    expect(await waiting).toBe(false);
    expect(await buffer.put(item(4))).toBe(false);
    expect(buffer.offer(item(5))).toBe(false);
    expect(drops).toEqual([
      [4, "closed"],
      [5, "closed"],
    ]);
    await buffer.waitForItems(); // resolves at once: closed
  });
});

describe("OutageBuffer batches", () => {
  it("takes batches by count and bytes, oldest first, and puts a failed batch back in front", () => {
    const { buffer } = make({ maxEvents: 100 });
    for (let n = 1; n <= 6; n++) buffer.offer(item(n));
    const batch = buffer.takeBatch(10, 35);
    expect(batch.map((i) => i.n)).toEqual([1, 2, 3]);
    expect(buffer.takeBatch(10, 1).map((i) => i.n)).toEqual([4]); // always one, even over maxBytes
    buffer.offer(item(7));
    buffer.putBack(batch);
    expect(all(buffer)).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it("applies the policy when a put-back overfills it, counting the drops", () => {
    const newest = make({ maxEvents: 3, overflow: "drop-newest" });
    for (let n = 1; n <= 3; n++) newest.buffer.offer(item(n));
    const batch = newest.buffer.takeBatch(2);
    newest.buffer.offer(item(4));
    newest.buffer.offer(item(5));
    newest.buffer.putBack(batch);
    expect(all(newest.buffer)).toEqual([1, 2, 3]);
    expect(newest.drops).toEqual([
      [5, "overflow-newest"],
      [4, "overflow-newest"],
    ]);

    const oldest = make({ maxEvents: 3, overflow: "drop-oldest" });
    for (let n = 1; n <= 3; n++) oldest.buffer.offer(item(n));
    const again = oldest.buffer.takeBatch(2);
    oldest.buffer.offer(item(4));
    oldest.buffer.offer(item(5));
    oldest.buffer.putBack(again);
    expect(all(oldest.buffer)).toEqual([3, 4, 5]);
    expect(oldest.drops).toEqual([
      [1, "overflow-oldest"],
      [2, "overflow-oldest"],
    ]);
  });

  it("wakes a waiting sender when an item arrives, or when its signal aborts", async () => {
    const { buffer } = make({});
    const woken = buffer.waitForItems();
    buffer.offer(item(1));
    await woken;
    expect(buffer.size).toBe(1);
    buffer.takeBatch(1);
    const controller = new AbortController();
    const stopped = buffer.waitForItems(controller.signal);
    controller.abort();
    await stopped;
    expect(buffer.size).toBe(0);
  });

  it("keeps order and accounts for every event under any mix of offers, sends and put-backs", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("offer" as const), size: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant("send" as const), count: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant("fail" as const), count: fc.integer({ min: 1, max: 5 }) }),
    );
    const policy = fc.constantFrom("drop-oldest" as const, "drop-newest" as const);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), policy, (ops, overflow) => {
        const { buffer, drops } = make({ maxEvents: 8, maxBytes: 100, overflow });
        const sent: number[] = [];
        let next = 0;
        for (const o of ops) {
          if (o.kind === "offer") buffer.offer(item(next++, o.size));
          else if (o.kind === "send") sent.push(...buffer.takeBatch(o.count).map((i) => i.n));
          else buffer.putBack(buffer.takeBatch(o.count));
          expect(buffer.size).toBeLessThanOrEqual(8);
          expect(buffer.bytes).toBeLessThanOrEqual(100);
        }
        const delivered = [...sent, ...all(buffer)];
        // Order: what comes out is increasing; accounting: out + dropped = in, nothing twice.
        expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
        expect(new Set([...delivered, ...drops.map(([n]) => n)]).size).toBe(next);
        expect(delivered.length + buffer.totalDropped).toBe(next);
      }),
    );
  });
});

describe("OutageBuffer metrics", () => {
  it("reports drops by reason and the depth and bytes held, with the lane label", () => {
    const metrics = new RecordingMetrics();
    const buffer = new OutageBuffer<Item>({ maxEvents: 2, overflow: "drop-oldest" }, (i) => i.size, {
      metrics,
      labels: { lane: "main" },
    });
    for (let n = 1; n <= 5; n++) buffer.offer(item(n));
    expect(metrics.counter(MetricName.Dropped, { lane: "main", reason: "overflow-oldest" })).toBe(3);
    expect(metrics.gaugeValue(MetricName.BufferDepth, { lane: "main" })).toBe(2);
    buffer.takeBatch(1);
    expect(metrics.gaugeValue(MetricName.BufferDepth, { lane: "main" })).toBe(1);
    expect(metrics.gaugeValue(MetricName.BufferBytes, { lane: "main" })).toBe(10);
    expect(metrics.misuses).toEqual([]);
  });
});

describe("Deque", () => {
  it("keeps FIFO order across growth with pushes and unshifts at both ends", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.push(i);
    for (let i = 0; i < 50; i++) d.shift();
    for (let i = -1; i >= -10; i--) d.unshift(i);
    expect(d.pop()).toBe(99);
    const out: number[] = [];
    while (d.length) out.push(d.shift()!);
    expect(out).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i - 10),
      ...Array.from({ length: 49 }, (_, i) => i + 50),
    ]);
    expect(d.shift()).toBeUndefined();
  });
});
