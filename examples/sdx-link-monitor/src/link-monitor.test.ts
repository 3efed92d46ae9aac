// The monitor on the memory transport, fed by the producer SDK: it bootstraps the links from
// the compacted destination, reports down/up transitions once each (flaps within the
// coalescing window as one), marks inter-domain links, and can watch only those.
import {
  createMemoryBroker,
  createMemoryTransport,
  MetricName,
  RecordingMetrics,
  sleep,
} from "@kytos-events/core";
import { createProducer } from "@kytos-events/producer";
import { afterEach, describe, expect, it } from "vitest";
import { LinkMonitor, type LinkTransition } from "./link-monitor.js";
import { linkContent, type TestLink, testLink } from "./test-links.js";

const miami = testLink("AMPATH-SANJ");
const saoPaulo = testLink("SAOPAULO-MIAMI", "sax.net:Sax01:40");
const santiago = testLink("SANTIAGO-MIAMI");

const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function setup(
  options: { interDomainOnly?: boolean; coalesceMs?: number; metrics?: RecordingMetrics } = {},
) {
  const { coalesceMs, ...monitorOptions } = options;
  const broker = createMemoryBroker();
  const producer = createProducer({
    source: "kytos-amlight",
    lanes: [{ name: "memory", transport: createMemoryTransport({ broker }) }],
  });
  await producer.ready();
  running.push({ stop: () => producer.close() });
  const transitions: LinkTransition[] = [];
  const monitor = new LinkMonitor({
    table: { transport: createMemoryTransport({ broker }), ...(coalesceMs ? { coalesceMs } : {}) },
    oxp: "amlight.net",
    ...monitorOptions,
    onTransition: (t) => transitions.push(t),
  });
  const publish = async (link: TestLink, up: boolean) => {
    producer.publishKytos(up ? "kytos/topology.link_up" : "kytos/topology.link_down", linkContent(link, up));
    await producer.flush();
  };
  return { producer, monitor, transitions, publish };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("LinkMonitor", () => {
  it("starts with the latest state of every link, without reporting the history as transitions", async () => {
    const { monitor, transitions, publish } = await setup();
    for (const up of [true, false, true, false]) await publish(miami, up);
    await publish(saoPaulo, true);
    await publish(santiago, true);
    running.push(monitor);
    const links = await monitor.start();
    expect(links.map((l) => [l.name, l.status, l.interDomain])).toEqual([
      ["AMPATH-SANJ", "down", false],
      ["SANTIAGO-MIAMI", "up", false],
      ["SAOPAULO-MIAMI", "up", true],
    ]);
    const sp = links.find((l) => l.name === "SAOPAULO-MIAMI")!;
    expect(sp.urn).toBe("urn:sdx:link:amlight.net:SAOPAULO-MIAMI");
    expect(sp.remotePorts).toEqual(["sax.net:Sax01:40"]);
    expect(links[0]!.reason).toBe("liveness down");
    expect(transitions).toEqual([]);
  });

  it("reports each down and up transition with its reason, new links as added", async () => {
    const { monitor, transitions, publish } = await setup();
    await publish(saoPaulo, true);
    running.push(monitor);
    await monitor.start();
    await publish(saoPaulo, false);
    await until("the down transition", () => transitions.length === 1);
    await publish(saoPaulo, true);
    await until("the up transition", () => transitions.length === 2);
    await publish(santiago, true);
    await until("the new link", () => transitions.length === 3);
    expect(transitions.map((t) => [t.kind, t.link.name, t.link.reason, t.changes])).toEqual([
      ["down", "SAOPAULO-MIAMI", "liveness down", 1],
      ["up", "SAOPAULO-MIAMI", "link up", 1],
      ["added", "SANTIAGO-MIAMI", "link up", 1],
    ]);
    expect(transitions[0]!.previous?.status).toBe("up");
  });

  // How many of the flaps the table sees depends on compaction (the memory broker keeps only a
  // key's newest record, Kafka compacts later): the report is one, with the final state.
  it("reports flaps within the coalescing window once, with the final state", async () => {
    const { producer, monitor, transitions, publish } = await setup({ coalesceMs: 300 });
    await publish(miami, true);
    running.push(monitor);
    await monitor.start();
    for (const up of [false, true, false])
      producer.publishKytos(
        up ? "kytos/topology.link_up" : "kytos/topology.link_down",
        linkContent(miami, up),
      );
    await producer.flush();
    await until("the transition", () => transitions.length > 0);
    await sleep(50);
    expect(transitions.map((t) => t.kind)).toEqual(["down"]);
    expect(transitions[0]!.changes).toBeGreaterThanOrEqual(1);
    expect(transitions[0]!.changes).toBeLessThanOrEqual(3);
  });

  it("watches only inter-domain links when asked", async () => {
    const { monitor, transitions, publish } = await setup({ interDomainOnly: true });
    await publish(miami, true);
    await publish(saoPaulo, true);
    running.push(monitor);
    expect((await monitor.start()).map((l) => l.name)).toEqual(["SAOPAULO-MIAMI"]);
    await publish(miami, false);
    await publish(saoPaulo, false);
    await until("the inter-domain transition", () => transitions.length > 0);
    await sleep(50);
    expect(transitions.map((t) => t.link.name)).toEqual(["SAOPAULO-MIAMI"]);
  });

  it("times each link change it handles after start, by event, and none of the bootstrap", async () => {
    const metrics = new RecordingMetrics();
    const { monitor, transitions, publish } = await setup({ metrics, interDomainOnly: true });
    await publish(miami, true);
    await publish(saoPaulo, true);
    running.push(monitor);
    await monitor.start();
    expect(
      metrics.histogram(MetricName.HandlerDuration, { event: "kytos/topology.link_up" }),
    ).toBeUndefined();
    await publish(miami, false); // handled, not reported: not inter-domain
    await publish(saoPaulo, false);
    await until("the inter-domain transition", () => transitions.length > 0);
    await until(
      "both changes timed",
      () => metrics.histogram(MetricName.HandlerDuration, { event: "kytos/topology.link_down" })?.count === 2,
    );
    expect(
      metrics.histogram(MetricName.HandlerDuration, { event: "kytos/topology.link_up" }),
    ).toBeUndefined();
    expect(metrics.misuses).toEqual([]);
  });
});
