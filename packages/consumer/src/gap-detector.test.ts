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
    const d = new GapDetector({ reorderWindowMs: 50, laneIdleMs: 50 }, (g) => gaps.push(g));
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

  it("holds a hole past the window while a lagging lane is still below it, and reports nothing once that lane brings the missing sequences", () => {
    let now = 0;
    const gaps: GapEvent[] = [];
    const d = new GapDetector(
      { reorderWindowMs: 100 },
      (g) => gaps.push(g),
      () => now,
    );
    // Odd sequences on lane "p0", even ones on "p1"; p0 races 2000 ahead while p1 lags (a
    // catch-up after an outage): far longer than the window, yet nothing is missing.
    d.observe("a", 1n, "p0");
    d.observe("a", 2n, "p1");
    for (let s = 3n; s < 4000n; s += 2n) {
      now += 1;
      d.observe("a", s, "p0");
      if (s % 50n === 1n) d.observe("a", 2n + (s / 50n) * 2n, "p1"); // p1 keeps delivering, slowly
      d.check();
    }
    expect(now).toBeGreaterThan(10 * 100);
    for (let s = 4n; s < 4000n; s += 2n) {
      now += 1;
      d.observe("a", s, "p1");
    }
    d.check();
    expect(gaps).toEqual([]);
    expect(d.observe("a", 4000n, "p1")).toBe("in-order");
    d.close();
  });

  it("reports a hole once every active lane has been past it for the window", () => {
    let now = 0;
    const gaps: GapEvent[] = [];
    const d = new GapDetector(
      { reorderWindowMs: 100, laneIdleMs: 200 },
      (g) => gaps.push(g),
      () => now,
    );
    for (const s of [1n, 3n, 5n, 7n]) d.observe("a", s, "p0");
    now = 100;
    d.observe("a", 2n, "p1");
    now = 150; // 4 and 6 are overdue, but p1 (active, at 2) may still bring them
    d.observe("a", 9n, "p0");
    expect(gaps).toEqual([]);
    now = 160;
    d.observe("a", 6n, "p1"); // p1 passed 4 without it: 4 is lost, once p1 has been past it for the window
    d.check();
    expect(gaps).toEqual([]);
    now = 260;
    d.check();
    expect(gaps).toEqual([{ source: "a", from: 4n, to: 4n, missing: 1n }]);
    now = 300;
    d.observe("a", 10n, "p1"); // 8 skipped as well
    now = 400;
    d.check();
    expect(gaps.slice(1)).toEqual([{ source: "a", from: 8n, to: 8n, missing: 1n }]);
    d.close();
  });

  it("gives a lane's own late sequence the window after the lane passed it (records of a busy key wait in the consumer)", () => {
    let now = 0;
    const gaps: GapEvent[] = [];
    const d = new GapDetector(
      { reorderWindowMs: 100 },
      (g) => gaps.push(g),
      () => now,
    );
    // p1 (odd sequences) races ahead; p0 (even) lags far behind, for far longer than the window.
    for (let s = 1n; s <= 101n; s += 2n) d.observe("a", s, "p1");
    for (let s = 2n; s <= 28n; s += 2n) d.observe("a", s, "p0");
    now = 5000;
    d.observe("a", 32n, "p0"); // p0 catches up: 30 waits inside the consumer behind its key
    d.observe("a", 34n, "p0");
    d.check();
    now = 5050;
    d.observe("a", 30n, "p0");
    now = 6000;
    d.check();
    expect(gaps).toEqual([]);
    d.close();
  });

  it("takes a known redelivery's sequence as seen without counting it as a duplicate", () => {
    const gaps: GapEvent[] = [];
    const d = new GapDetector({ reorderWindowMs: 0 }, (g) => gaps.push(g));
    d.observe("a", 1n, "p0");
    // 2 was handled by a process that died before committing: this one only sees it as a redelivery.
    expect(d.observe("a", 2n, "p0", true)).toBe("in-order");
    d.observe("a", 3n, "p0");
    expect(d.observe("a", 3n, "p0", true)).toBe("duplicate");
    expect(gaps).toEqual([]);
    expect(d.duplicates).toBe(0);
    d.close();
  });

  it("holds holes for laneIdleMs after a source's first event, for lanes not heard from yet (a restarted consumer)", () => {
    let now = 0;
    const gaps: GapEvent[] = [];
    const d = new GapDetector(
      { reorderWindowMs: 100, laneIdleMs: 1000 },
      (g) => gaps.push(g),
      () => now,
    );
    // p0 resumes from its committed offset at 500; p1 (300..) gets its turn only 900 ms later.
    for (let s = 500n; s < 600n; s += 2n) d.observe("a", s, "p0");
    now = 900;
    d.check();
    expect(gaps).toEqual([]);
    for (let s = 301n; s < 600n; s += 2n) d.observe("a", s, "p1");
    now = 2000;
    d.observe("a", 600n, "p0");
    d.observe("a", 601n, "p1");
    now = 3000;
    d.check();
    expect(gaps).toEqual([]);
    d.close();
  });

  it("stops holding a hole for a lane quiet for laneIdleMs (a revoked partition)", () => {
    let now = 0;
    const gaps: GapEvent[] = [];
    const d = new GapDetector(
      { reorderWindowMs: 100, laneIdleMs: 100 },
      (g) => gaps.push(g),
      () => now,
    );
    d.observe("a", 1n, "p0");
    d.observe("a", 2n, "p1");
    d.observe("a", 3n, "p0");
    d.observe("a", 5n, "p0"); // 4 was p1's, and p1 now belongs to another group member
    now = 50;
    d.observe("a", 7n, "p0");
    d.check();
    expect(gaps).toEqual([]);
    now = 150; // p1 has said nothing for laneIdleMs: it no longer holds the hole
    d.check();
    expect(gaps).toEqual([
      { source: "a", from: 4n, to: 4n, missing: 1n },
      { source: "a", from: 6n, to: 6n, missing: 1n },
    ]);
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
