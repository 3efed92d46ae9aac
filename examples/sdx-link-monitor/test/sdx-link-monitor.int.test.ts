// The monitor as its README runs it (`start`, JSON lines) against the real Kafka and RabbitMQ:
// links published by the producer SDK before it starts come from the compacted status
// destination (Kafka: compacted topic; RabbitMQ: last-value queues) as its starting state,
// then each down/up of an inter-domain link is one transition line; a restarted monitor starts
// from the latest states; SIGTERM stops it with exit code 0.
import { randomUUID } from "node:crypto";
import { createAmqpTransport } from "@kytos-events/amqp";
import type { RoutingConfig, Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer, type Producer } from "@kytos-events/producer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../../../test/support/example-process.js";
import { type Scrape, scrapeMetrics } from "../../../test/support/scrape-metrics.js";
import { linkContent, type TestLink, testLink } from "../src/test-links.js";

interface Setup {
  readonly transport: () => Transport;
  readonly routing: RoutingConfig;
  readonly args: readonly string[];
  /** The link-status destination the monitor reads. */
  readonly destination: string;
}

function kafka(): Setup {
  const brokers = process.env.KAFKA_BROKERS!;
  // Per run: a new monitor reads the compacted topic from its beginning.
  const prefix = `sdx-monitor-${randomUUID().slice(0, 8)}`;
  return {
    transport: () => createKafkaTransport({ brokers }),
    routing: routing(prefix),
    args: ["--brokers", brokers, "--destination", `${prefix}.status.link`],
    destination: `${prefix}.status.link`,
  };
}

function amqp(): Setup {
  const url = process.env.AMQP_URL!;
  // Fixed names (exchanges and last-value queues outlive a run; the monitor's own queues
  // expire): each test publishes the state of every link it then checks.
  const exchange = "sdx-monitor-test.events";
  return {
    transport: () => createAmqpTransport({ url, exchange }),
    routing: routing("sdx-monitor-test"),
    args: [
      "--transport",
      "amqp",
      "--url",
      url,
      "--exchange",
      exchange,
      "--destination",
      "sdx-monitor-test.status.link",
    ],
    destination: "sdx-monitor-test.status.link",
  };
}

function routing(prefix: string): RoutingConfig {
  return {
    nappDestination: `${prefix}.{topic}`,
    verboseDestination: `${prefix}.events`,
    statusDestination: `${prefix}.status.{entity}`,
  };
}

const miami = testLink("AMPATH-SANJ");
const saoPaulo = testLink("SAOPAULO-MIAMI", "sax.net:Sax01:40");
const santiago = testLink("SANTIAGO-MIAMI");

let setup: Setup;
let producer: Producer;
const processes: ExampleProcess[] = [];

async function publish(link: TestLink, up: boolean): Promise<void> {
  const receipt = producer.publishKytos(
    up ? "kytos/topology.link_up" : "kytos/topology.link_down",
    linkContent(link, up),
  );
  expect((await receipt.durable).ok).toBe(true);
}

function monitor(...extra: string[]): ExampleProcess {
  const p = startExample(import.meta.url, [
    ...setup.args,
    "--oxp",
    "amlight.net",
    "--coalesce-ms",
    "0",
    "--json",
    ...extra,
  ]);
  processes.push(p);
  return p;
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

/** The URL the monitor prints on stderr with --metrics-port. */
async function metricsUrl(p: ExampleProcess): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = p.stderr.find((l) => l.startsWith("sdx-link-monitor: metrics at "));
    if (line) return line.slice("sdx-link-monitor: metrics at ".length);
    if (p.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no metrics URL; stderr:\n${p.stderr.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Scrapes until `ready` holds (bounded): values settle as the monitor handles what it was sent. */
async function scrapeUntil(url: string, ready: (s: Scrape) => boolean, what: string): Promise<Scrape> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const scrape = await scrapeMetrics(url);
    if (ready(scrape)) return scrape;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(scrape.samples)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const isJson = (line: string) => line.startsWith("{");

describe.each([
  ["Kafka", kafka],
  ["RabbitMQ", amqp],
])("sdx-link-monitor on %s", (_, configure) => {
  beforeAll(async () => {
    setup = configure();
    producer = createProducer({
      source: "kytos-amlight",
      lanes: [{ name: "lane", transport: setup.transport(), routing: setup.routing }],
    });
    await producer.ready();
  });

  afterAll(async () => {
    for (const p of processes.splice(0)) await p.stop("SIGKILL");
    await producer?.close();
  });

  it("starts from the compacted link states, reports each transition, serves lag and handler metrics (--metrics-port), and exits 0 on SIGTERM", async () => {
    for (const up of [true, false]) await publish(miami, up);
    await publish(saoPaulo, true);
    await publish(santiago, true);

    const first = monitor("--metrics-port", "0");
    const url = await metricsUrl(first);
    await first.waitForLine((l) => isJson(l) && parse(l).name === "SANTIAGO-MIAMI", "the starting state");
    const start = first.stdout.filter(isJson).map(parse);
    expect(start.map((l) => [l.type, l.name, l.status, l.interDomain])).toEqual([
      ["link", "AMPATH-SANJ", "down", false],
      ["link", "SANTIAGO-MIAMI", "up", false],
      ["link", "SAOPAULO-MIAMI", "up", true],
    ]);
    expect(start[2]).toMatchObject({
      urn: "urn:sdx:link:amlight.net:SAOPAULO-MIAMI",
      remotePorts: ["sax.net:Sax01:40"],
    });

    const from = first.stdout.length;
    await publish(saoPaulo, false);
    const down = parse(
      await first.waitForLine((l) => isJson(l) && parse(l).type === "transition", "link down", { from }),
    );
    expect(down).toMatchObject({
      transition: "down",
      name: "SAOPAULO-MIAMI",
      interDomain: true,
      reason: "liveness down",
    });
    const next = first.stdout.length;
    await publish(saoPaulo, true);
    const up = parse(
      await first.waitForLine((l) => isJson(l) && parse(l).type === "transition", "link up", { from: next }),
    );
    expect(up).toMatchObject({ transition: "up", name: "SAOPAULO-MIAMI", status: "up", reason: "link up" });
    expect(
      first.stdout
        .filter(isJson)
        .map(parse)
        .filter((l) => l.type === "transition"),
    ).toHaveLength(2);

    // The scrape: one handled change per transition (with --coalesce-ms 0 each event is one
    // change), and the status destination's lag per partition (queue), 0 once caught up.
    const lag = (s: Scrape) => s.series("kytos_events_consume_lag", { destination: setup.destination });
    const scrape = await scrapeUntil(
      url,
      (s) =>
        s.sum("kytos_events_handler_duration_ms_count") === 2 &&
        lag(s).length > 0 &&
        lag(s).every((l) => l.value === 0),
      "two handled changes and the lag at 0",
    );
    expect(scrape.sum("kytos_events_handler_duration_ms_count", { event: "kytos/topology.link_down" })).toBe(
      1,
    );
    expect(scrape.sum("kytos_events_handler_duration_ms_count", { event: "kytos/topology.link_up" })).toBe(1);
    for (const l of lag(scrape)) expect(l.labels.partition).toMatch(/^\d+$/);
    expect(new Set(scrape.series("kytos_events_consume_lag").map((l) => l.labels.destination))).toEqual(
      new Set([setup.destination]),
    );

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(first.stderr.join("\n")).toContain("SIGTERM, stopping");
  });

  it("a restarted monitor starts from the latest state of each link; --inter-domain-only keeps the inter-domain ones", async () => {
    await publish(santiago, false);
    const second = monitor("--inter-domain-only");
    const line = await second.waitForLine(isJson, "the starting state");
    expect(parse(line)).toMatchObject({
      type: "link",
      name: "SAOPAULO-MIAMI",
      status: "up",
      interDomain: true,
    });
    const all = monitor();
    await all.waitForLine((l) => isJson(l) && parse(l).name === "SAOPAULO-MIAMI", "the starting state");
    expect(all.stdout.filter(isJson).map((l) => [parse(l).name, parse(l).status])).toEqual([
      ["AMPATH-SANJ", "down"],
      ["SANTIAGO-MIAMI", "down"],
      ["SAOPAULO-MIAMI", "up"],
    ]);
    expect(second.stdout.filter(isJson)).toHaveLength(1);
    expect(await second.stop("SIGINT")).toBe(0);
    expect(await all.stop("SIGTERM")).toBe(0);
  });
});
