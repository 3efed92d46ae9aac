// The demo on the memory transport, smaller than `pnpm demo`: what its summary claims must
// hold — every event handled exactly once across the mid-stream restart, in key order, and
// the consumers' links and circuits equal to how the scenario left the network.
import { describe, expect, it } from "vitest";
import type { DemoOptions } from "./options.js";
import { summaryLines } from "./report.js";
import { runDemo } from "./run-demo.js";
import { Scenario } from "./scenario.js";

const options: DemoOptions = {
  transport: "memory",
  scenario: { switches: 8, evcs: 12, flaps: 400, seed: 11 },
  progressMs: 0,
};

describe("the demo on the memory transport", () => {
  it("handles every produced event exactly once across a consumer restart, and ends in the scenario's state", async () => {
    const narration: string[] = [];
    const result = await runDemo(options, { log: (line) => narration.push(line) });

    let raised = 0;
    for (const _ of new Scenario(options.scenario).events()) raised++;
    expect(result.raised).toBe(raised);
    expect(result.delivered).toBe(raised);
    expect(result.undelivered).toBe(0);
    expect(result.handled).toBe(raised);
    expect(result.handledTwice).toBe(0);
    expect(result.orderViolations).toBe(0);
    expect(result.deadLettered).toBe(0);
    expect(result.restart!.afterHandled).toBeGreaterThan(0);
    expect(result.restart!.afterHandled).toBeLessThan(raised);
    expect(narration.some((l) => l.startsWith("restart:"))).toBe(true);
    expect(result.links.mismatches).toEqual([]);
    expect(result.circuits.mismatches).toEqual([]);
    expect(result.links.up + result.links.down).toBe(options.scenario.switches);
    expect([...result.byType.values()].reduce((a, b) => a + b, 0)).toBe(raised);
    expect(result.ok).toBe(true);
    expect(summaryLines(result).at(-1)).toContain("OK: every event produced was handled");
    expect(result.scrape).toBeUndefined();
  });

  it("serves its metrics over HTTP with --metrics-port, and the summary reports a scrape of them", async () => {
    const narration: string[] = [];
    const result = await runDemo({ ...options, metricsPort: 0 }, { log: (line) => narration.push(line) });
    expect(result.ok).toBe(true);
    const scrape = result.scrape!;
    expect(scrape.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(narration).toContain(`metrics: Prometheus text format at ${scrape.url} while the demo runs`);
    // Each event handled once: one handler run each (no retries on the memory transport).
    expect(scrape.handlerRuns).toBe(result.handled);
    expect(scrape.dropped).toBe(0);
    expect(scrape.deadLetters).toBe(0);
    expect(scrape.lagSeries).toBe(0);
    expect(summaryLines(result).some((l) => l.startsWith(`  metrics        ${scrape.url}`))).toBe(true);
    // The endpoint closed with the demo.
    await expect(fetch(scrape.url)).rejects.toThrow();
  });
});

describe("the scenario", () => {
  it("is repeatable from its seed and ends with at most 3 links down", () => {
    const names = (seed: number) =>
      [...new Scenario({ ...options.scenario, seed }).events()].map((e) => e.name);
    expect(names(5)).toEqual(names(5));
    expect(names(5)).not.toEqual(names(6));
    const scenario = new Scenario(options.scenario);
    for (const _ of scenario.events());
    const down = [...scenario.truth().links.values()].filter((s) => s === "down").length;
    expect(down).toBeLessThanOrEqual(3);
  });
});
