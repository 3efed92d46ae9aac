import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OffsetTracker } from "./offset-tracker.js";

describe("OffsetTracker", () => {
  it("never reports a committable position past an unsettled record, for any completion order", () => {
    fc.assert(
      fc.property(
        // Strictly increasing offsets with holes (compacted logs skip offsets), a random
        // completion order, and how much of it happens before the check ends.
        fc
          .uniqueArray(fc.nat(10_000), { minLength: 1, maxLength: 300, size: "max" })
          .map((xs) => xs.sort((a, b) => a - b))
          .chain((offsets) =>
            fc.tuple(
              fc.constant(offsets),
              fc.shuffledSubarray(offsets, { minLength: 0, maxLength: offsets.length }),
            ),
          ),
        ([offsets, order]) => {
          const tracker = new OffsetTracker();
          for (const o of offsets) tracker.track("p0", o);
          const settled = new Set<number>();
          let firstUnsettled = 0; // index into offsets
          for (const o of order) {
            tracker.complete("p0", o);
            settled.add(o);
            while (firstUnsettled < offsets.length && settled.has(offsets[firstUnsettled]!)) firstUnsettled++;
            const mark = tracker.committable("p0");
            // The watermark is exactly the end of the settled prefix: never past a gap, never behind it.
            const expected = firstUnsettled === 0 ? undefined : offsets[firstUnsettled - 1];
            if (mark !== expected)
              throw new Error(`after completing ${o}: committable ${mark}, expected ${expected}`);
          }
          expect(tracker.unsettled("p0")).toBe(offsets.length - order.length);
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

  it("agrees with a naive model over interleaved track, complete and revoke on many lanes", () => {
    type Op = { kind: "track" | "complete" | "revoke"; lane: number; pick: number };
    const op = fc.record({
      kind: fc.constantFrom<Op["kind"]>("track", "track", "complete", "complete", "revoke"),
      lane: fc.nat(3),
      pick: fc.nat(1_000),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: "max" }), (ops) => {
        const tracker = new OffsetTracker();
        // The model: per lane, every tracked offset with its settled flag, scanned in full.
        const model = new Map<string, { offsets: number[]; settled: Set<number>; next: number }>();
        const laneOf = (name: string) => {
          let m = model.get(name);
          if (!m) {
            m = { offsets: [], settled: new Set(), next: 0 };
            model.set(name, m);
          }
          return m;
        };
        const watermark = (m: { offsets: number[]; settled: Set<number> }) => {
          let mark: number | undefined;
          for (const o of m.offsets) {
            if (!m.settled.has(o)) break;
            mark = o;
          }
          return mark;
        };
        for (const { kind, lane, pick } of ops) {
          const name = `lane-${lane}`;
          const m = laneOf(name);
          if (kind === "track") {
            const offset = m.next + (pick % 3); // holes, as compaction leaves them
            tracker.track(name, offset);
            m.offsets.push(offset);
            m.next = offset + 1;
          } else if (kind === "complete" && m.offsets.length > 0) {
            const offset = m.offsets[pick % m.offsets.length]!;
            const before = watermark(m);
            const fresh = !m.settled.has(offset);
            m.settled.add(offset);
            const moved = tracker.complete(name, offset);
            if (moved !== (fresh && watermark(m) !== before))
              throw new Error(`${name}@${offset}: moved=${moved}`);
          } else if (kind === "revoke") {
            const unsettled = m.offsets.filter((o) => !m.settled.has(o)).length;
            // A new owner resumes from the committed position: offsets after it come again.
            const resume = (watermark(m) ?? -1) + 1;
            const revoked = tracker.revoke(name);
            if (revoked !== unsettled)
              throw new Error(`${name}: revoke reported ${revoked}, model ${unsettled}`);
            model.delete(name);
            laneOf(name).next = resume;
          }
          // Plain comparisons: expect() per step would dominate the run time.
          for (const [n, state] of model) {
            const mark = tracker.committable(n);
            if (state.offsets.length > 0 && mark !== watermark(state)) {
              throw new Error(`${n}: committable ${mark}, model ${watermark(state)}`);
            }
            const unsettled = state.offsets.filter((o) => !state.settled.has(o)).length;
            if (tracker.unsettled(n) !== unsettled) {
              throw new Error(`${n}: unsettled ${tracker.unsettled(n)}, model ${unsettled}`);
            }
          }
        }
        let total = 0;
        for (const state of model.values())
          total += state.offsets.filter((o) => !state.settled.has(o)).length;
        expect(tracker.unsettled()).toBe(total);
      }),
      { numRuns: 300 },
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
