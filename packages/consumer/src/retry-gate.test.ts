import { describe, expect, it } from "vitest";
import { RetryGate } from "./retry-gate.js";

describe("RetryGate", () => {
  it("closes a key behind a failed event: followers are deferred in order, the failed one runs first", () => {
    let now = 1000;
    const gate = new RetryGate(60_000, () => now);
    expect(gate.check("k", "a")).toEqual({ kind: "run" });
    gate.failed("k", "a", 100);
    const b = gate.check("k", "b");
    const c = gate.check("k", "c");
    expect(b.kind === "defer" && c.kind === "defer").toBe(true);
    const delays = [b, c].map((v) => (v.kind === "defer" ? v.delayMs : -1));
    expect(delays[0]).toBeGreaterThan(100);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(gate.check("other", "x")).toEqual({ kind: "run" });
    now += 101;
    // c comes back before b (a broker may reorder retries): deferred again behind b.
    expect(gate.check("k", "c").kind).toBe("defer");
    expect(gate.check("k", "a")).toEqual({ kind: "run" });
    expect(gate.check("k", "c").kind).toBe("defer");
    expect(gate.check("k", "b")).toEqual({ kind: "run" });
    expect(gate.check("k", "c")).toEqual({ kind: "run" });
    expect(gate.size).toBe(0);
    expect(gate.check("k", "d")).toEqual({ kind: "run" });
  });

  it("puts an event that fails again back at the head of its key's line", () => {
    let now = 0;
    const gate = new RetryGate(60_000, () => now);
    gate.failed("k", "a", 10);
    expect(gate.check("k", "b").kind).toBe("defer");
    now = 20;
    expect(gate.check("k", "a").kind).toBe("run");
    gate.failed("k", "a", 40); // failed again
    now = 30;
    expect(gate.check("k", "b").kind).toBe("defer");
    now = 60;
    expect(gate.check("k", "a").kind).toBe("run");
    expect(gate.check("k", "b").kind).toBe("run");
  });

  it("gives up on an event that does not come back within the grace period", () => {
    let now = 0;
    const gate = new RetryGate(1000, () => now);
    gate.failed("k", "lost", 10);
    expect(gate.check("k", "b").kind).toBe("defer");
    now = 10 + 1001;
    // "lost" moved to another instance; b (deferred, seen recently) is next in line.
    expect(gate.check("k", "b")).toEqual({ kind: "run" });
    expect(gate.size).toBe(0);
  });
});
