import {
  createMemoryBroker,
  createMemoryTransport,
  type MemoryTransport,
  type Transport,
} from "@kytos-events/core";
import type { Envelope } from "@kytos-events/schema";
import { afterEach, describe, expect, it } from "vitest";
import { linkEvent, publish, routerWith, seeded, switchEnabled, until } from "../test-support.js";
import { LinkStatusTable, type StatusChange, type StatusTable, SwitchStatusTable } from "./status-table.js";

const tables: StatusTable[] = [];
afterEach(async () => {
  await Promise.all(tables.splice(0).map((t) => t.stop()));
});

async function setup() {
  const broker = createMemoryBroker();
  const producer = createMemoryTransport({ broker });
  const router = routerWith(3);
  await producer.ensureDestinations(router.destinationSpecs());
  return {
    broker,
    producer,
    transport: createMemoryTransport({ broker }),
    send: (envelopes: readonly Envelope[]) => publish(producer, envelopes, router),
  };
}

function track<T extends StatusTable>(table: T): T {
  tables.push(table);
  return table;
}

/** 10k link flaps over 500 links; returns the events and each link's last state. */
function flaps(count = 10_000, linkCount = 500) {
  const random = seeded(7);
  const events: Envelope[] = [];
  const last = new Map<string, "up" | "down">();
  for (let i = 0; i < count; i++) {
    const link = `link-${Math.floor(random() * linkCount)}`;
    const up = random() < 0.5;
    events.push(linkEvent(up, link, { sequence: BigInt(i + 1), source: "ctl" }));
    last.set(link, up ? "up" : "down");
  }
  return { events, last };
}

const snapshot = (table: StatusTable) => new Map([...table].map((e) => [e.id, e.state]));

describe("LinkStatusTable", () => {
  it("started late over 10k flaps of 500 links, equals each link's last state from the compacted destination", async () => {
    const { transport, send, broker } = await setup();
    const { events, last } = flaps();
    await send(events);
    const table = track(new LinkStatusTable({ transport }));
    const changes: StatusChange[] = [];
    table.on("change", (c) => changes.push(c));
    await table.start();
    await table.ready();
    expect(table.bootstrapSignal).toBe("end-offsets");
    expect(snapshot(table)).toEqual(last);
    // The broker kept one record per link; the table applied just those.
    expect(broker.records("kytos.status.link")).toHaveLength(last.size);
    expect(table.stats().applied).toBe(last.size);
    expect(changes).toHaveLength(last.size);
  });

  it("coalesces a backlog on a non-compacted destination: far fewer notifications than events, final states", async () => {
    const { transport, send } = await setup();
    const { events, last } = flaps();
    await send(events);
    // The verbose destination keeps every event: the coalescing is the table's own.
    const table = track(new LinkStatusTable({ transport, destination: "kytos.events" }));
    const changes = new Map<string, StatusChange[]>();
    table.on("change", (c) => changes.set(c.id, [...(changes.get(c.id) ?? []), c]));
    await table.start();
    await table.ready();
    expect(snapshot(table)).toEqual(last);
    expect(table.stats().applied).toBe(events.length);
    // Bootstrap notifies once per link, with its state at ready.
    expect(table.stats().notifications).toBe(last.size);
    // Each key's last notification carries its final state, and the counts add up to every event.
    let coalesced = 0;
    for (const [id, list] of changes) {
      expect(list.at(-1)!.current.state).toBe(last.get(id));
      coalesced += list.reduce((n, c) => n + c.coalesced, 0);
    }
    expect(coalesced).toBe(events.length);
  });

  it("never lets a stale event overwrite a newer one, from the same source or another", async () => {
    const { transport, send } = await setup();
    const table = track(new LinkStatusTable({ transport, destination: "kytos.events" }));
    await table.start();
    await table.ready();
    const t0 = Date.UTC(2026, 0, 1);
    await send([
      linkEvent(false, "l1", { sequence: 5n, source: "a", occurredAt: t0 }),
      linkEvent(true, "l1", { sequence: 3n, source: "a", occurredAt: t0 + 10 }), // older by sequence
      linkEvent(true, "l2", { sequence: 9n, source: "a", occurredAt: t0 + 50 }),
      linkEvent(false, "l2", { sequence: 1n, source: "b", occurredAt: t0 + 10 }), // other source, earlier
      linkEvent(false, "l3", { sequence: 9n, source: "a", occurredAt: t0 }),
      linkEvent(true, "l3", { sequence: 1n, source: "b", occurredAt: t0 + 10 }), // other source, later
    ]);
    await until(() => table.stats().applied + table.stats().stale === 6, 2000, "six events");
    expect(table.get("l1")).toMatchObject({ state: "down", sequence: 5n });
    expect(table.get("l2")).toMatchObject({ state: "up", source: "a" });
    expect(table.get("l3")).toMatchObject({ state: "up", source: "b" });
    expect(table.stats().stale).toBe(2);
  });

  it("follows live events after bootstrap with one notification each, naming the previous entry", async () => {
    const { transport, send } = await setup();
    await send([linkEvent(true, "l1", { sequence: 1n })]);
    const table = track(new LinkStatusTable({ transport }));
    await table.start();
    await table.ready();
    const changes: StatusChange[] = [];
    table.on("change", (c) => changes.push(c));
    await send([linkEvent(false, "l1", { sequence: 2n })]);
    await until(() => changes.length === 1, 2000, "the live change");
    expect(changes[0]).toMatchObject({
      id: "l1",
      coalesced: 1,
      current: { state: "down" },
      previous: { state: "up" },
    });
    expect(table.get("l1")?.event).toBe("kytos/topology.link_down");
    expect(table.has("l1") && table.size === 1).toBe(true);
  });

  it("is ready at once on an empty destination, and ignores events of other entities", async () => {
    const { transport, send } = await setup();
    const table = track(new LinkStatusTable({ transport, destination: "kytos.events" }));
    await table.start();
    await table.ready();
    expect(table.size).toBe(0);
    await send([switchEnabled("00:01", 1n), linkEvent(true, "l1", { sequence: 2n })]);
    await until(() => table.size === 1, 2000, "the link event");
    expect(table.stats().ignored).toBe(1);
  });

  it("falls back to a quiet period when the transport gives no catch-up signal", async () => {
    const { transport, send } = await setup();
    await send(flaps(200, 20).events);
    const plain: Transport = wrap(transport);
    const table = track(new LinkStatusTable({ transport: plain, quietMs: 100 }));
    await table.start();
    await table.ready();
    expect(table.bootstrapSignal).toBe("quiet-period");
    expect(table.size).toBe(20);
  });

  it("rejects ready() with KE_TIMEOUT naming the destination when bootstrap does not finish in time", async () => {
    const { transport } = await setup();
    const table = track(
      new LinkStatusTable({ transport: wrap(transport), quietMs: 10_000, bootstrapTimeoutMs: 50 }),
    );
    await table.start();
    await expect(table.ready()).rejects.toMatchObject({
      code: "KE_TIMEOUT",
      message: expect.stringContaining('"kytos.status.link"'),
    });
  });
});

describe("SwitchStatusTable", () => {
  it("keeps the latest status per switch from kytos.status.switch", async () => {
    const { transport, send } = await setup();
    await send([switchEnabled("00:01", 1n), switchEnabled("00:02", 2n), switchEnabled("00:01", 3n)]);
    const table = track(new SwitchStatusTable({ transport }));
    await table.start();
    await table.ready();
    expect(snapshot(table)).toEqual(
      new Map([
        ["00:01", "enabled"],
        ["00:02", "enabled"],
      ]),
    );
    expect(table.get("00:01")?.sequence).toBe(3n);
  });
});

/** The same transport seen through a plain object: no memory-specific end offsets. */
function wrap(transport: MemoryTransport): Transport {
  return {
    kind: "wrapped",
    capabilities: transport.capabilities,
    connect: () => transport.connect(),
    ensureDestinations: (specs) => transport.ensureDestinations(specs),
    send: (batch) => transport.send(batch),
    subscribe: (options) => transport.subscribe(options),
    close: () => transport.close(),
  };
}
