import { describe, expect, it } from "vitest";
import { ReloadablePipeline } from "./pipeline.js";

const names = [
  "kytos/topology.link_up",
  "kytos/topology.link_down",
  "kytos/mef_eline.created",
  "kytos/mef_eline.deleted",
];

describe("ReloadablePipeline", () => {
  it("decides every event with exactly one config version while filters change mid-stream", async () => {
    const pipeline = new ReloadablePipeline({ filter: { allow: ["kytos/topology\\..*"] } });
    const decided: { n: number; version: number; passed: boolean }[] = [];
    // Four concurrent "publishers" interleaved on the event loop; a reload lands halfway.
    const publisher = async (offset: number) => {
      for (let i = 0; i < 250; i++) {
        const n = i * 4 + offset;
        const snapshot = pipeline.current;
        decided.push({
          n,
          version: snapshot.version,
          passed: snapshot.decide(names[n % 4]!, "client") !== undefined,
        });
        await new Promise((r) => setImmediate(r));
      }
    };
    const run = Promise.all([0, 1, 2, 3].map(publisher));
    while (decided.length < 500) await new Promise((r) => setImmediate(r));
    pipeline.reload({ filter: { allow: ["kytos/mef_eline\\..*"] } });
    await run;

    expect(decided).toHaveLength(1000);
    expect(new Set(decided.map((d) => d.n)).size).toBe(1000);
    for (const d of decided) {
      const topology = names[d.n % 4]!.startsWith("kytos/topology");
      expect(d.passed).toBe(d.version === 1 ? topology : !topology);
    }
    expect(decided.some((d) => d.version === 1)).toBe(true);
    expect(decided.some((d) => d.version === 2)).toBe(true);
  });

  it("keeps the old config active when a reload is invalid, and reports why", () => {
    const pipeline = new ReloadablePipeline({ filter: { deny: ["kytos/mef_eline\\..*"] } });
    expect(() => pipeline.reload({ filter: { allow: ["kytos/(topology"] } })).toThrow(
      expect.objectContaining({ code: "KE_FILTER_PATTERN_INVALID" }),
    );
    expect(pipeline.current.version).toBe(1);
    expect(pipeline.current.decide("kytos/mef_eline.created", "client")).toBeUndefined();
    expect(pipeline.current.decide("kytos/topology.link_up", "client")).toBeDefined();
  });
});
