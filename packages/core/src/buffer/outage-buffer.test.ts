import { describe, expect, it } from "vitest";
import { Deque } from "./deque.js";
import { type DropReason, OutageBuffer } from "./outage-buffer.js";

const sized = (n: number) => ({ n, size: 10 });
type Item = ReturnType<typeof sized>;
const make = (config: ConstructorParameters<typeof OutageBuffer<Item>>[0]) => {
  const drops: [number, DropReason][] = [];
  const buffer = new OutageBuffer<Item>(config, (i) => i.size, { onDrop: (i, r) => drops.push([i.n, r]) });
  return { buffer, drops };
};
const all = (b: OutageBuffer<Item>) => b.takeBatch(Number.POSITIVE_INFINITY).map((i) => i.n);

describe("OutageBuffer", () => {
  it("drop-oldest keeps the newest events in order and counts each drop", () => {
    const { buffer, drops } = make({ maxEvents: 3, overflow: "drop-oldest" });
    for (let n = 1; n <= 5; n++) expect(buffer.offer(sized(n))).toBe(true);
    expect(all(buffer)).toEqual([3, 4, 5]);
    expect(buffer.dropped["overflow-oldest"]).toBe(2);
    expect(drops).toEqual([
      [1, "overflow-oldest"],
      [2, "overflow-oldest"],
    ]);
  });

  it("drop-newest keeps the oldest events and refuses the new ones", () => {
    const { buffer, drops } = make({ maxEvents: 3, overflow: "drop-newest" });
    const accepted = [1, 2, 3, 4, 5].map((n) => buffer.offer(sized(n)));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(all(buffer)).toEqual([1, 2, 3]);
    expect(buffer.dropped["overflow-newest"]).toBe(2);
    expect(drops.map(([n]) => n)).toEqual([4, 5]);
  });

  it("bounds by bytes as well as by count", () => {
    const { buffer } = make({ maxEvents: 100, maxBytes: 25, overflow: "drop-oldest" });
    for (let n = 1; n <= 4; n++) buffer.offer(sized(n));
    expect(buffer.size).toBe(2);
    expect(buffer.bytes).toBe(20);
    expect(buffer.totalDropped).toBe(2);
  });

  it("wait lets a new event in when room appears before the deadline, and drops it after", async () => {
    const { buffer } = make({ maxEvents: 1, overflow: "wait", waitTimeoutMs: 2000 });
    await buffer.put(sized(1));
    const waiting = buffer.put(sized(2));
    setTimeout(() => buffer.takeBatch(1), 20);
    expect(await waiting).toBe(true);
    expect(all(buffer)).toEqual([2]);

    const { buffer: full } = make({ maxEvents: 1, overflow: "wait", waitTimeoutMs: 30 });
    await full.put(sized(1));
    expect(await full.put(sized(2))).toBe(false);
    expect(full.dropped["wait-timeout"]).toBe(1);
  });

  it("takes batches by count and bytes, oldest first, and puts a failed batch back in front", () => {
    const { buffer } = make({ maxEvents: 100 });
    for (let n = 1; n <= 6; n++) buffer.offer(sized(n));
    const batch = buffer.takeBatch(10, 35);
    expect(batch.map((i) => i.n)).toEqual([1, 2, 3]);
    buffer.offer(sized(7));
    buffer.putBack(batch);
    expect(all(buffer)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("applies the policy when a put-back overfills it, counting the drops", () => {
    const { buffer } = make({ maxEvents: 3, overflow: "drop-newest" });
    for (let n = 1; n <= 3; n++) buffer.offer(sized(n));
    const batch = buffer.takeBatch(2);
    buffer.offer(sized(4));
    buffer.offer(sized(5));
    buffer.putBack(batch);
    expect(all(buffer)).toEqual([1, 2, 3]);
    expect(buffer.dropped["overflow-newest"]).toBe(2);
  });

  it("rejects impossible bounds with a config error", () => {
    expect(() => make({ maxEvents: 0 })).toThrow(/maxEvents/);
    expect(() => make({ overflow: "block" as never })).toThrow(/overflow/);
  });
});

describe("Deque", () => {
  it("keeps FIFO order across growth with pushes and unshifts at both ends", () => {
    const d = new Deque<number>();
    for (let i = 0; i < 100; i++) d.push(i);
    for (let i = 0; i < 50; i++) d.shift();
    for (let i = -1; i >= -10; i--) d.unshift(i);
    const out: number[] = [];
    while (d.length) out.push(d.shift()!);
    expect(out).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i - 10),
      ...Array.from({ length: 50 }, (_, i) => i + 50),
    ]);
  });
});
