import { setImmediate as yieldToLoop } from "node:timers/promises";
import { kytosEventFixtures, linkId } from "@kytos-events/schema/fixtures";
import { describe, expect, it } from "vitest";
import { createProducer, type Producer } from "./producer.js";
import type { PublishReceipt } from "./receipt.js";
import { envelopes, memoryLane, waitFor } from "./test-support.js";

const fast = { initialDelayMs: 1, maxDelayMs: 10 };
const evcCreated = kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.created")!;

interface Published {
  readonly name: string;
  readonly receipt: PublishReceipt;
  readonly afterReload: boolean;
}

/** `publishers` concurrent loops, each publishing `perPublisher` events and yielding between them. */
async function publishConcurrently(
  producer: Producer,
  publishers: number,
  perPublisher: number,
  state: { reloaded: boolean },
): Promise<Published[]> {
  const out: Published[] = [];
  await Promise.all(
    Array.from({ length: publishers }, async (_, p) => {
      for (let i = 0; i < perPublisher; i++) {
        const topology = (i + p) % 2 === 0;
        const name = topology ? "kytos/topology.link_down" : evcCreated.name;
        const afterReload = state.reloaded;
        const receipt = topology
          ? producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `p${p} #${i}` })
          : producer.publishKytos(evcCreated.name, evcCreated.content);
        out.push({ name, receipt, afterReload });
        await yieldToLoop();
      }
    }),
  );
  return out;
}

describe("reload", () => {
  it("changes filters mid-stream under concurrent publishers and an outage: the exact set is delivered, once", async () => {
    const { broker, lane } = memoryLane("memory", { filter: { allow: ["kytos/topology\\..*"] } });
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast });
    await producer.ready();
    const state = { reloaded: false };
    const publishing = publishConcurrently(producer, 4, 250, state);
    await waitFor(() => producer.stats().sequence >= 150, 5000, "the first events");
    broker.setAvailable(false); // the switch happens while events wait in the buffer
    await waitFor(() => producer.stats().lanes[0]!.retries > 0, 5000, "a failed send");
    producer.reload({ lanes: [{ ...lane, filter: { allow: ["kytos/mef_eline\\..*"] } }] });
    state.reloaded = true;
    await waitFor(() => producer.stats().lanes[0]!.buffered > 50, 5000, "events buffered after the reload");
    broker.setAvailable(true);
    const published = await publishing;
    expect(await producer.flush()).toBe(true);

    const expected = published.filter((p) =>
      p.afterReload ? p.name.startsWith("kytos/mef_eline.") : p.name.startsWith("kytos/topology."),
    );
    expect(
      published
        .filter((p) => p.receipt.accepted)
        .map((p) => p.receipt.id)
        .sort(),
    ).toEqual(expected.map((p) => p.receipt.id).sort());
    const delivered = envelopes(broker, "kytos.events").map((e) => e.id);
    expect(new Set(delivered).size).toBe(delivered.length); // no duplicates
    expect(delivered.sort()).toEqual(expected.map((p) => p.receipt.id).sort());
    expect(expected.some((p) => p.afterReload) && expected.some((p) => !p.afterReload)).toBe(true);
    await producer.close();
  });

  it("switches a lane's transport between two sends: every event reaches exactly one broker, in order", async () => {
    const first = memoryLane("lane");
    const second = memoryLane("lane");
    const producer = createProducer({ source: "ctl-1", lanes: [first.lane], retry: fast });
    await producer.ready();
    const state = { reloaded: false };
    const publishing = publishConcurrently(producer, 3, 200, state);
    await waitFor(() => producer.stats().sequence >= 200, 5000, "the first events");
    producer.reload({ lanes: [second.lane] });
    state.reloaded = true;
    const published = await publishing;
    await producer.flush();
    const before = envelopes(first.broker, "kytos.events").map((e) => Number(e.sequence));
    const after = envelopes(second.broker, "kytos.events").map((e) => Number(e.sequence));
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect([...before, ...after]).toEqual(published.map((_, i) => i + 1));
    // the producer owned the first transport: it was closed once the switch happened
    await expect(first.transport.connect()).rejects.toMatchObject({ code: "KE_CLOSED" });
    await producer.close();
  });

  it("refuses an invalid reload as a whole and keeps the running configuration", async () => {
    const a = memoryLane("a", { filter: { allow: ["kytos/topology\\..*"] } });
    const b = memoryLane("b");
    const producer = createProducer({ source: "ctl-1", lanes: [a.lane, b.lane] });
    expect(() =>
      producer.reload({
        lanes: [
          { ...a.lane, filter: { allow: [".*"] } },
          { ...b.lane, filter: { deny: ["(("] } },
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        code: "KE_FILTER_PATTERN_INVALID",
        message: expect.stringContaining('lane "b"'),
      }),
    );
    expect(producer.publishKytos(evcCreated.name, evcCreated.content).accepted).toBe(true); // lane b takes it
    await producer.flush();
    expect(a.broker.records("kytos.events")).toHaveLength(0); // lane a's filter is unchanged
    expect(b.broker.records("kytos.events")).toHaveLength(1);
    expect(() => producer.reload({ lanes: [{ ...b.lane, name: "c" }] })).toThrow(/transport of lane "b"/);
    await producer.close();
  });

  it("adds and removes lanes: a removed lane sends what it held, then closes its transport", async () => {
    const old = memoryLane("old");
    const added = memoryLane("added");
    const producer = createProducer({ source: "ctl-1", lanes: [old.lane], retry: fast });
    await producer.ready();
    old.broker.setAvailable(false);
    const early = Array.from({ length: 20 }, () =>
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: "early" }),
    );
    producer.reload({ lanes: [added.lane] });
    const late = producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: "late" });
    expect(producer.stats().lanes.map((l) => l.name)).toEqual(["added", "old"]);
    old.broker.setAvailable(true);
    await waitFor(() => producer.stats().lanes.length === 1, 5000, "the removed lane to retire");
    expect(envelopes(old.broker, "kytos.events").map((e) => e.id)).toEqual(early.map((r) => r.id));
    await waitFor(() => added.broker.records("kytos.events").length === 1, 5000, "the added lane");
    expect(envelopes(added.broker, "kytos.events").map((e) => e.id)).toEqual([late.id]);
    await expect(old.transport.connect()).rejects.toMatchObject({ code: "KE_CLOSED" });
    await producer.close();
  });

  it("resizes a lane's buffer, keeping what waits (overflow counted by the new policy)", async () => {
    const { broker, lane } = memoryLane("memory", { buffer: { maxEvents: 100 } });
    const producer = createProducer({ source: "ctl-1", lanes: [lane], retry: fast });
    await producer.ready();
    broker.setAvailable(false);
    for (let i = 0; i < 50; i++)
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: `${i}` });
    await waitFor(
      () => producer.stats().lanes[0]!.buffered === 50,
      5000,
      "the failed batch back in the buffer",
    );
    producer.reload({ lanes: [{ ...lane, buffer: { maxEvents: 30 } }] });
    expect(producer.stats().lanes[0]!.dropped["overflow-oldest"]).toBe(20);
    broker.setAvailable(true);
    await producer.flush();
    expect(envelopes(broker, "kytos.events").map((e) => Number(e.sequence))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 21),
    );
    await producer.close();
  });
});
