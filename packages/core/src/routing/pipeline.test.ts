import { describe, expect, it } from "vitest";
import { OutageBuffer } from "../buffer/outage-buffer.js";
import { createMemoryBroker, createMemoryTransport } from "../memory/memory-transport.js";
import { isRetriable } from "../retry/with-retry.js";
import type { OutboundRecord } from "../transport/transport.js";
import { type PipelineConfig, ReloadablePipeline } from "./pipeline.js";

const names = [
  "kytos/topology.link_up",
  "kytos/topology.link_down",
  "kytos/mef_eline.created",
  "kytos/mef_eline.deleted",
  "kytos/of_core.hello_failed",
];
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

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
        await tick();
      }
    };
    const run = Promise.all([0, 1, 2, 3].map(publisher));
    while (decided.length < 500) await tick();
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
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringContaining('allow[0] "kytos/(topology"'),
      }),
    );
    expect(() => pipeline.reload({ routing: { nappDestination: "{nope}" } })).toThrow(
      expect.objectContaining({ code: "KE_CONFIG_INVALID" }),
    );
    expect(pipeline.current.version).toBe(1);
    expect(pipeline.current.decide("kytos/mef_eline.created", "client")).toBeUndefined();
    expect(pipeline.current.decide("kytos/topology.link_up", "client")).toBeDefined();
  });

  it("swaps only after the prepare step succeeds, and refuses a swap that lost a race", async () => {
    const pipeline = new ReloadablePipeline();
    await expect(
      pipeline.reloadWith({ routing: { verboseDestination: "all" } }, async () => {
        throw new Error("broker refused the new destination");
      }),
    ).rejects.toThrow(/broker refused/);
    expect(pipeline.current.version).toBe(1);

    let release!: () => void;
    const slow = pipeline.reloadWith({ filter: { deny: [".*"] } }, () => new Promise((r) => (release = r)));
    pipeline.reload({ routing: { verboseDestination: "everything" } });
    release();
    await expect(slow).rejects.toMatchObject({ code: "KE_CONFIG_INVALID", message: /lost a race/ });
    expect(pipeline.current.version).toBe(2);
    expect(pipeline.current.decide("kytos/topology.link_up", "client")).toContain("everything");
  });

  it("delivers every accepted event exactly once per destination of the version that decided it, across a reload and an outage", async () => {
    const first: PipelineConfig = {
      filter: { allow: ["kytos/topology\\..*", "kytos/of_core\\..*"] },
      routing: { statusDestination: false },
    };
    const second: PipelineConfig = {
      filter: { allow: ["kytos/mef_eline\\..*", "kytos/topology\\.link_down"] },
      routing: { statusDestination: false, verboseDestination: "kytos.all" },
    };
    const broker = createMemoryBroker();
    const transport = createMemoryTransport({ broker });
    const pipeline = new ReloadablePipeline(first);
    await transport.ensureDestinations(pipeline.current.destinationSpecs());

    interface Queued {
      readonly id: string;
      readonly key: string;
      readonly destinations: readonly string[];
    }
    const buffer = new OutageBuffer<Queued>({ maxEvents: 100_000 }, () => 100);
    const expected = new Map<string, string[]>(); // destination → ids, in publish order per key
    let filtered = 0;

    const publisher = async (p: number) => {
      for (let i = 0; i < 400; i++) {
        const snapshot = pipeline.current; // read once: filter and route from the same version
        const destinations = snapshot.decide(names[(i + p) % names.length]!, transport.capabilities.fanout);
        if (!destinations) {
          filtered++;
        } else {
          const id = `${p}-${i}`;
          for (const d of destinations) expected.set(d, [...(expected.get(d) ?? []), id]);
          buffer.offer({ id, key: `publisher-${p}`, destinations });
        }
        if (i % 7 === 0) await tick();
      }
    };

    let publishing = true;
    let retries = 0;
    const pump = (async () => {
      while (publishing || buffer.size > 0) {
        const batch = buffer.takeBatch(32);
        if (batch.length === 0) {
          await tick();
          continue;
        }
        const records: OutboundRecord[] = batch.flatMap((q) =>
          q.destinations.map((destination) => ({
            destination,
            key: q.key,
            value: new TextEncoder().encode(q.id),
            headers: {},
          })),
        );
        try {
          await transport.send(records);
        } catch (err) {
          // An outage fails the whole batch here; back to the front, in order, then retry.
          expect(isRetriable(err)).toBe(true);
          buffer.putBack(batch);
          retries++;
          await tick();
        }
      }
    })();

    const publishers = Promise.all([0, 1, 2, 3].map(publisher));
    const accepted = () => [...expected.values()].flat().length;
    const ticks = async (n: number) => {
      for (let i = 0; i < n; i++) await tick();
    };
    while (accepted() < 150) await tick();
    broker.setAvailable(false);
    await ticks(5);
    broker.setAvailable(true);
    while (accepted() < 300) await tick();
    // The new destinations take a while to create (as on a real broker): events keep flowing
    // under version 1 meanwhile, and none is routed to a destination that does not exist yet.
    await pipeline.reloadWith(second, async (next) => {
      await ticks(5);
      await transport.ensureDestinations(next.destinationSpecs());
    });
    await publishers;
    publishing = false;
    await pump;

    expect(retries).toBeGreaterThan(0);
    expect(filtered).toBeGreaterThan(0);
    expect(expected.has("kytos.events") && expected.has("kytos.all")).toBe(true);
    for (const [destination, ids] of expected) {
      const stored = broker
        .records(destination)
        .map((r) => ({ key: r.key, id: new TextDecoder().decode(r.value) }));
      expect(stored.map((s) => s.id).sort(), destination).toEqual([...ids].sort());
      // Per key (publisher), the destination holds the ids in publish order.
      for (const key of new Set(stored.map((s) => s.key))) {
        const got = stored.filter((s) => s.key === key).map((s) => s.id);
        expect(got, `${destination} ${key}`).toEqual(
          ids.filter((id) => `publisher-${id.split("-")[0]}` === key),
        );
      }
    }
    expect(buffer.totalDropped).toBe(0);
  });
});
