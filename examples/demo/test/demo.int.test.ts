// `pnpm demo -- --transport kafka|amqp`: the same pipeline and the same checks as on the
// memory transport, against the real Kafka and RabbitMQ of the integration run.
import { describe, expect, it } from "vitest";
import type { DemoOptions, TransportKind } from "../src/options.js";
import { runDemo } from "../src/run-demo.js";

const scenario = { switches: 10, evcs: 16, flaps: 600, seed: 3 };

describe.each<TransportKind>(["kafka", "amqp"])("the demo on %s", (transport) => {
  it("handles every produced event exactly once across a consumer restart, and ends in the scenario's state", async () => {
    const options: DemoOptions = { transport, scenario, progressMs: 0, metricsPort: 0 };
    const narration: string[] = [];
    const result = await runDemo(options, { log: (line) => narration.push(line) });

    expect(result.broker).toMatch(transport === "kafka" ? /^Kafka at / : /^RabbitMQ at /);
    expect(result.delivered).toBe(result.raised);
    expect(result.handled).toBe(result.raised);
    expect(result.handledTwice).toBe(0);
    expect(result.orderViolations).toBe(0);
    expect(result.deadLettered).toBe(0);
    expect(result.restart!.afterHandled).toBeLessThan(result.raised);
    expect(result.links.mismatches).toEqual([]);
    expect(result.circuits.mismatches).toEqual([]);
    expect(result.ok).toBe(true);
    // The Prometheus endpoint, scraped once everything was handled: lag reported and back to 0.
    expect(result.scrape!.lagSeries).toBeGreaterThan(0);
    expect(result.scrape!.lag).toBe(0);
    expect(result.scrape!.handlerRuns).toBeGreaterThanOrEqual(result.handled);
    expect(result.scrape!.deadLetters).toBe(0);
  });
});
