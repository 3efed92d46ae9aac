import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OffsetTracker } from "./offset-tracker.js";

describe("OffsetTracker", () => {
  it("never reports a committable position past an unsettled record, for any completion order", () => {
    fc.assert(
      fc.property(
        // Strictly increasing offsets with holes (compacted logs skip offsets) and a random
        // completion order over a random subset.
        fc
          .uniqueArray(fc.nat(10_000), { minLength: 1, maxLength: 200 })
          .map((xs) => xs.sort((a, b) => a - b)),
        fc.infiniteStream(fc.nat()),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (offsets, randoms, fraction) => {
          const tracker = new OffsetTracker();
          for (const o of offsets) tracker.track("p0", o);
          const order = [...offsets];
          const it = randoms[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = it.next().value % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const settled = new Set<number>();
          const count = Math.floor(order.length * fraction);
          for (const o of order.slice(0, count)) {
            tracker.complete("p0", o);
            settled.add(o);
            const mark = tracker.committable("p0");
            if (mark !== undefined) {
              for (const x of offsets) if (x <= mark) expect(settled.has(x)).toBe(true);
            }
            const firstUnsettled = offsets.find((x) => !settled.has(x));
            if (firstUnsettled !== undefined && mark !== undefined) expect(mark).toBeLessThan(firstUnsettled);
          }
          expect(tracker.unsettled("p0")).toBe(offsets.length - count);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reaches the last offset once every record is settled, whatever the order", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...Array(100).keys()], { minLength: 100, maxLength: 100 }),
        (order) => {
          const tracker = new OffsetTracker();
          for (let o = 0; o < 100; o++) tracker.track("q", o);
          for (const o of order) tracker.complete("q", o);
          expect(tracker.committable("q")).toBe(99);
          expect(tracker.unsettled()).toBe(0);
        },
      ),
    );
  });

  it("keeps lanes independent and forgets a revoked lane with its unsettled count", () => {
    const tracker = new OffsetTracker();
    tracker.track("a", 0);
    tracker.track("a", 1);
    tracker.track("b", 5);
    expect(tracker.complete("a", 1)).toBe(false);
    expect(tracker.committable("a")).toBeUndefined();
    expect(tracker.complete("b", 5)).toBe(true);
    expect(tracker.committable("b")).toBe(5);
    expect(tracker.revoke("a")).toBe(1); // offset 0 was never settled
    expect(tracker.complete("a", 0)).toBe(false);
    expect(tracker.unsettled()).toBe(0);
  });

  it("rejects offsets that go backwards on a lane, and ignores a second completion", () => {
    const tracker = new OffsetTracker();
    tracker.track("p", 3);
    expect(() => tracker.track("p", 3)).toThrow(/delivery order/);
    expect(tracker.complete("p", 3)).toBe(true);
    expect(tracker.complete("p", 3)).toBe(false);
    expect(() => tracker.track("p", 2)).toThrow(/delivery order/);
  });
});
