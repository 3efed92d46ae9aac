import { describe, expect, it } from "vitest";
import { GapDetector, type GapEvent } from "./gap-detector.js";
import { until } from "./test-support.js";

describe("GapDetector", () => {
  it("reports a jump at once with no reorder window, and counts repeats", () => {
    const gaps: GapEvent[] = [];
    const d = new GapDetector({ reorderWindowMs: 0 }, (g) => gaps.push(g));
    expect([1n, 2n, 3n, 7n, 8n].map((s) => d.observe("a", s))).toEqual([
      "in-order",
      "in-order",
      "in-order",
      "ahead",
      "in-order",
    ]);
    expect(gaps).toEqual([{ source: "a", from: 4n, to: 6n, missing: 3n }]);
    expect(d.observe("a", 2n)).toBe("duplicate");
    expect(d.observe("a", 8n)).toBe("duplicate");
    expect(d.duplicates).toBe(2);
    d.close();
  });

  it("keeps sources apart and ignores unset sequences", () => {
    const gaps: GapEvent[] = [];
    const d = new GapDetector({ reorderWindowMs: 0 }, (g) => gaps.push(g));
    d.observe("a", 10n);
    d.observe("b", 500n);
    d.observe("a", 11n);
    d.observe("b", 501n);
    expect(d.observe("a", 0n)).toBe("in-order");
    expect(gaps).toEqual([]);
    d.close();
  });

  it("accepts reordering within the window and reports a hole still open after it, without further events", async () => {
    const gaps: GapEvent[] = [];
    const d = new GapDetector({ reorderWindowMs: 50 }, (g) => gaps.push(g));
    for (const s of [1n, 3n, 2n, 5n, 4n, 6n, 9n]) d.observe("a", s);
    expect(gaps).toEqual([]);
    await until(() => gaps.length === 1, 2000, "the timer to report 7..8");
    expect(gaps[0]).toMatchObject({ from: 7n, to: 8n });
    d.close();
  });

  it("takes earlier sequences arriving from other partitions right after the first one as in order, not repeats", () => {
    let now = 0;
    const d = new GapDetector(
      { reorderWindowMs: 100 },
      () => {},
      () => now,
    );
    expect([4n, 1n, 5n, 2n, 3n, 6n].map((s) => d.observe("a", s))).toEqual(Array(6).fill("in-order"));
    expect(d.observe("a", 4n)).toBe("duplicate");
    now = 200; // the window is over: the baseline is settled
    expect(d.observe("a", 7n)).toBe("in-order");
    expect(d.duplicates).toBe(1);
    d.close();
  });

  it("reports the oldest hole early when too many later sequences wait", () => {
    const gaps: GapEvent[] = [];
    const d = new GapDetector({ reorderWindowMs: 60_000, maxPending: 3 }, (g) => gaps.push(g));
    for (const s of [1n, 5n, 6n, 7n]) d.observe("a", s);
    expect(gaps).toEqual([]);
    d.observe("a", 8n);
    expect(gaps).toEqual([{ source: "a", from: 2n, to: 4n, missing: 3n }]);
    expect(d.observe("a", 9n)).toBe("in-order");
    d.close();
  });
});
