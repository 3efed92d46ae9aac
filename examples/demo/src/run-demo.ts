// The demo's pipeline on the SDKs, as an application would wire it:
//
//   scenario ─▶ createProducer (one lane on the chosen transport; publishKytos with the
//               controller's JSON) ─▶ NApp, verbose and compacted link-status destinations
//   verbose  ─▶ createConsumer "circuits" (memory idempotency store, key-ordered concurrency)
//               ─▶ NetworkView; restarted once mid-stream, so the group redelivers what the
//               first instance handled but had not committed, and the store suppresses it
//   status   ─▶ LinkStatusTable (the latest state of every link, with change notifications)
//   metrics  ─▶ with --metrics-port, PrometheusMetrics served at /metrics (demo-metrics.ts)
//
// Everything the summary says is measured here and checked against the scenario's truth.
import { type Consumer, type ConsumerStats, createConsumer, LinkStatusTable } from "@kytos-events/consumer";
import { MemoryIdempotencyStore, Router, sleep, type Transport } from "@kytos-events/core";
import { createProducer, type Producer } from "@kytos-events/producer";
import { type DemoBroker, openDemoBroker } from "./demo-broker.js";
import { type DemoMetrics, openDemoMetrics, type ScrapeSummary } from "./demo-metrics.js";
import { NetworkView } from "./network-view.js";
import type { DemoOptions } from "./options.js";
import { Scenario, type ScenarioTruth } from "./scenario.js";

export interface DemoResult {
  readonly broker: string;
  readonly options: DemoOptions;
  /** Events the scenario raised, and those the producer refused as bad input. */
  readonly raised: number;
  readonly refused: number;
  /** Events the transport acknowledged, and those it did not (dropped or failed, by the producer's count). */
  readonly delivered: number;
  readonly undelivered: number;
  /** Sends the producer tried again after a retriable failure (a source of duplicates). */
  readonly sendRetries: number;
  /** Distinct events the consumers' handlers ran for. */
  readonly handled: number;
  readonly handledTwice: number;
  readonly orderViolations: number;
  /** Redelivered events the idempotency store recognised (handlers not run). */
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly restart: { readonly afterHandled: number; readonly handedBack: number } | undefined;
  readonly links: { readonly up: number; readonly down: number; readonly mismatches: readonly string[] };
  readonly circuits: {
    readonly active: number;
    readonly down: number;
    readonly removed: number;
    readonly redeployments: number;
    readonly mismatches: readonly string[];
  };
  readonly statusTable: {
    readonly entries: number;
    readonly applied: number;
    readonly notifications: number;
  };
  readonly byType: ReadonlyMap<string, number>;
  /** From the first publish to the last event handled. */
  readonly seconds: number;
  /** With --metrics-port: what a scrape of the endpoint showed once everything was handled. */
  readonly scrape: ScrapeSummary | undefined;
  /** Every delivered event was handled, exactly once, in key order, and the states agree with the truth. */
  readonly ok: boolean;
}

export interface ProgressSample {
  readonly seconds: number;
  readonly produced: number;
  readonly buffered: number;
  readonly handled: number;
  readonly settled: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly linksDown: number;
}

export interface DemoHooks {
  /** A line of narration (broker start, restart). */
  readonly log: (line: string) => void;
  /** Called every options.progressMs while events flow. */
  readonly progress?: (sample: ProgressSample) => void;
}

/** Outstanding events the producer may hold before the scenario waits for the broker's acks. */
const PUBLISH_WINDOW = 2000;
const SOURCE = "kytos-demo";

export async function runDemo(options: DemoOptions, hooks: DemoHooks): Promise<DemoResult> {
  const metrics = await openDemoMetrics(options.metricsPort);
  if (metrics.url) hooks.log(`metrics: Prometheus text format at ${metrics.url} while the demo runs`);
  let broker: DemoBroker;
  try {
    broker = await openDemoBroker(options.transport, hooks.log);
  } catch (err) {
    await metrics.close();
    throw err;
  }
  const transports: Transport[] = [];
  const open = (role: string) => {
    const transport = broker.newTransport(role);
    transports.push(transport);
    return transport;
  };
  try {
    return await run(options, broker, open, hooks, metrics);
  } finally {
    await Promise.allSettled(transports.map((t) => t.close()));
    await broker.close();
    await metrics.close();
  }
}

async function run(
  options: DemoOptions,
  broker: DemoBroker,
  open: (role: string) => Transport,
  hooks: DemoHooks,
  metrics: DemoMetrics,
): Promise<DemoResult> {
  const router = new Router(broker.routing);
  const specs = router.destinationSpecs();
  const verbose = router.config.verboseDestination as string;
  const linkStatus = (router.config.statusDestination as string).replace("{entity}", "link");

  // The truth, from a dry run of the scenario: how many events, and how everything ends.
  const dry = new Scenario(options.scenario);
  let raised = 0;
  for (const _ of dry.events()) raised++;
  const truth = dry.truth();

  // Consumers first: on RabbitMQ a group's queue must exist before the events it should get.
  const tableTransport = open("links");
  await tableTransport.ensureDestinations(specs);
  const table = new LinkStatusTable({
    transport: tableTransport,
    destination: linkStatus,
    group: `${broker.groupPrefix}-links`,
  });
  let notifications = 0;
  table.on("change", () => {
    notifications++;
  });
  await table.start();
  await table.ready();

  const view = new NetworkView();
  const store = new MemoryIdempotencyStore({ maxEntries: raised + 1 });
  const instances: Consumer[] = [];
  const startInstance = async (n: number) => {
    const transport = open(`circuits-${n}`);
    await transport.ensureDestinations(specs);
    const consumer = createConsumer({
      transport,
      group: `${broker.groupPrefix}-circuits`,
      destinations: [verbose],
      from: "beginning",
      idempotency: store,
      concurrency: 16,
      maxInFlight: 512,
      // Off: the demo checks completeness against the scenario itself, and the SDK's
      // time-window detector raises false alarms here (hundreds per run): a consumer catching
      // up reads the verbose stream's unevenly filled partitions at unequal speeds, and after
      // the restart the duplicates it suppresses are never shown to the detector.
      gaps: false,
      metrics: metrics.metrics,
    }).on("*", (event) => view.apply(event));
    instances.push(consumer);
    await consumer.start();
    return consumer;
  };
  await startInstance(1);

  const producer = createProducer({
    source: SOURCE,
    lanes: [{ name: broker.kind, transport: open("producer"), routing: broker.routing }],
    metrics: metrics.metrics,
  });
  await producer.ready();

  const started = performance.now();
  // The whole run's budget: a stalled pipeline ends in a failing summary, not a hang.
  const deadline = Date.now() + (broker.kind === "memory" ? 60_000 : 180_000);
  const sample = (): ProgressSample => {
    const lane = producer.stats().lanes[0]!;
    const stats = sumStats(instances.map((c) => c.stats()));
    return {
      seconds: (performance.now() - started) / 1000,
      produced: lane.accepted,
      buffered: lane.buffered + lane.inFlight,
      handled: view.distinct,
      settled: stats.handled + stats.duplicates + stats.ignored + stats.deadLettered,
      duplicates: stats.duplicates,
      deadLettered: stats.deadLettered,
      linksDown: [...table].filter((e) => e.state === "down").length,
    };
  };
  const ticker =
    options.progressMs > 0 && hooks.progress
      ? setInterval(() => hooks.progress?.(sample()), options.progressMs)
      : undefined;

  // A rolling restart of the circuits application a third of the way in: the first instance
  // stops (finishing what it started), the second takes over the group.
  let restart: DemoResult["restart"];
  const restarting = (async () => {
    const first = instances[0]!;
    while (view.distinct < Math.floor(raised / 3) && Date.now() < deadline) await sleep(10);
    const afterHandled = view.distinct;
    const report = await first.stop({ timeoutMs: 10_000 });
    restart = { afterHandled, handedBack: report.unsettled };
    hooks.log(
      `restart: the "circuits" consumer stopped after ${afterHandled} events (${report.unsettled} delivered ` +
        "records left unsettled for the group); a new instance takes over",
    );
    await startInstance(2);
  })();

  await publishScenario(producer, new Scenario(options.scenario));
  await producer.flush({ timeoutMs: 60_000 });
  const lane = producer.stats().lanes[0]!;
  const delivered = lane.delivered;
  await restarting;
  while (view.distinct < delivered && Date.now() < deadline) await sleep(10);
  const seconds = (view.lastHandledAt - started) / 1000;
  while (!linksAgree(table, truth) && Date.now() < deadline) await sleep(10);
  if (ticker) clearInterval(ticker);
  hooks.progress?.(sample());
  // Before the consumers stop: a closed subscription reports 0 lag whatever it left behind.
  const scrape = await metrics.scrape();

  for (const consumer of instances) await consumer.stop({ timeoutMs: 10_000 });
  await table.stop();
  const stats = sumStats(instances.map((c) => c.stats()));
  const closing = await producer.close();
  const links = compareLinks(table, view, truth);
  const circuits = compareCircuits(view, truth);
  const handled = view.distinct;
  return {
    broker: broker.description,
    options,
    raised,
    refused: producer.stats().refused.invalid,
    delivered,
    undelivered: lane.failed + Object.values(lane.dropped).reduce((a, b) => a + b, 0) + closing.lost,
    sendRetries: lane.retries,
    handled,
    handledTwice: view.handledTwice,
    orderViolations: view.orderViolations,
    duplicates: stats.duplicates,
    deadLettered: stats.deadLettered,
    restart,
    links,
    circuits,
    statusTable: { entries: table.size, applied: table.stats().applied, notifications },
    byType: view.byType,
    seconds,
    scrape,
    ok:
      delivered === raised &&
      handled === delivered &&
      view.handledTwice === 0 &&
      view.orderViolations === 0 &&
      stats.deadLettered === 0 &&
      links.mismatches.length === 0 &&
      circuits.mismatches.length === 0,
  };
}

/** Publishes like a controller that never waits, but lets the broker's acks pace the scenario. */
async function publishScenario(producer: Producer, scenario: Scenario): Promise<void> {
  const window: Promise<unknown>[] = [];
  let n = 0;
  for (const event of scenario.events()) {
    const receipt = producer.publishKytos(event.name, event.content);
    if (++n % 250 === 0) {
      window.push(receipt.durable);
      if (window.length * 250 > PUBLISH_WINDOW) await window.shift();
      // A controller raises events over time: let the consumers run between bursts.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function sumStats(all: readonly ConsumerStats[]): ConsumerStats {
  const total: Record<string, number> = {};
  for (const stats of all) {
    for (const [k, v] of Object.entries(stats)) total[k] = (total[k] ?? 0) + v;
  }
  return total as unknown as ConsumerStats;
}

function linksAgree(table: LinkStatusTable, truth: ScenarioTruth): boolean {
  for (const [id, state] of truth.links) if (table.get(id)?.state !== state) return false;
  return true;
}

function compareLinks(table: LinkStatusTable, view: NetworkView, truth: ScenarioTruth): DemoResult["links"] {
  const mismatches: string[] = [];
  let up = 0;
  for (const [id, state] of truth.links) {
    if (state === "up") up++;
    const name = truth.linkNames.get(id);
    const fromTable = table.get(id)?.state;
    if (fromTable !== state) mismatches.push(`${name}: status table says ${fromTable}, the network ${state}`);
    const fromStream = view.links.get(id);
    if (fromStream !== state) mismatches.push(`${name}: stream says ${fromStream}, the network ${state}`);
  }
  return { up, down: truth.links.size - up, mismatches };
}

function compareCircuits(view: NetworkView, truth: ScenarioTruth): DemoResult["circuits"] {
  const mismatches: string[] = [];
  const count = { active: 0, down: 0, removed: 0 };
  for (const [id, state] of truth.circuits) {
    count[state]++;
    const seen = view.circuits.get(id);
    if (seen !== state) mismatches.push(`${id}: stream says ${seen}, the controller ${state}`);
  }
  return { ...count, redeployments: view.redeployments, mismatches };
}
