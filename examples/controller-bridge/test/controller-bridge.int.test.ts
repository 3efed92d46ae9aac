// The bridge as its README runs it (`start -- --config <file>`), against the real Kafka:
// controller events POSTed as JSON come out typed on the per-NApp and verbose topics; bad
// input gets a 4xx with a reason and the service stays up; records of kafka_events' schema-less
// topic are republished typed and those that do not map are dead-lettered with the reason;
// SIGHUP applies a new filter and refuses a broken file; SIGTERM stops it cleanly.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Consumer, createConsumer, type KytosEvent } from "@kytos-events/consumer";
import { Header, type InboundRecord, type Subscription, type Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { kytosEventFixtures, linkId, linkJson } from "@kytos-events/schema/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../../../test/support/example-process.js";
import { scrapeMetrics } from "../../../test/support/scrape-metrics.js";

const brokers = process.env.KAFKA_BROKERS!;
const run = randomUUID().slice(0, 8);
const prefix = `bridge-${run}`;
const source = `kytos-bridge-test-${run}`;
const eventLogs = `${prefix}.event_logs`;
const dir = mkdtempSync(join(tmpdir(), "controller-bridge-"));
const configFile = join(dir, "bridge.json");

const config = (filter: Record<string, unknown>) => ({
  source,
  listen: { host: "127.0.0.1", port: 0 },
  transport: { kind: "kafka", brokers },
  filter,
  routing: {
    nappDestination: `${prefix}.{topic}`,
    verboseDestination: `${prefix}.events`,
    statusDestination: `${prefix}.status.{entity}`,
  },
  maxBodyBytes: 64 * 1024,
  eventLogs: { topic: eventLogs, group: `${prefix}-bridge`, from: "beginning" },
});
const writeConfig = (value: unknown) =>
  writeFileSync(configFile, typeof value === "string" ? value : JSON.stringify(value));
const STATS_DENY = {
  deny: ["kytos/of_core\\.(flow_stats|table_stats)\\.received", "kytos/of_core\\.port_stats"],
};

// kafka_events records: the same events, the way that NApp writes them, and some that cannot map.
const goodRecords = [
  {
    event: "kytos/topology.link_down",
    message: { link: linkJson({ active: false, status: "DOWN" }), reason: "liveness down" },
  },
  { event: "kytos/topology.switch.enabled", message: { dpid: "00:00:00:00:00:00:00:01" } },
  {
    event: "kytos/mef_eline.deployed",
    message: kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.deployed")!.content,
  },
];
const filteredRecord = { event: "kytos/of_core.port_stats", message: { switch: "x" } };
const badRecords: { value: Uint8Array; reason: RegExp }[] = [
  { value: Buffer.from("this is not json"), reason: /not JSON/ },
  { value: Buffer.from([0xff, 0xfe, 0x00]), reason: /not UTF-8/ },
  { value: Buffer.from("[1, 2]"), reason: /expected a JSON object/ },
  { value: Buffer.from(JSON.stringify({ message: {} })), reason: /"event" .* missing/ },
  {
    value: Buffer.from(JSON.stringify({ event: "kytos/nope.unknown", message: {} })),
    reason: /^KE_UNKNOWN_EVENT_NAME: .*kytos\/nope\.unknown/,
  },
  // kafka_events falls back to str() for contents it cannot serialise.
  {
    value: Buffer.from(JSON.stringify({ event: "kytos/topology.link_down", message: "Link(id=...)" })),
    reason: /^KE_MAPPING_INVALID: /,
  },
];

let bridge: ExampleProcess;
let url: string;
/** The bridge's Prometheus endpoint (--metrics-port 0). */
let metricsUrl: string;
/** The bridge's own process (under tsx): SIGHUP goes there. */
let pid: number;
let raw: Transport;
let consumerTransport: Transport;
let consumer: Consumer;
const typed: { event: KytosEvent; destination: string }[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function post(
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
  path = "/events",
) {
  const res = await fetch(`${url}${path}`, { method: "POST", body, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The parts of /healthz these tests read. */
interface Health {
  readonly output: {
    readonly accepted: number;
    readonly delivered: number;
    readonly buffered: number;
    readonly dropped: Record<string, number>;
  };
  readonly refused: { readonly invalid: number };
  readonly eventLogs: Record<"received" | "republished" | "filtered" | "deadLettered" | "retried", number>;
  readonly config: { readonly reloads: number; readonly lastReloadError?: string };
}

async function health() {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  raw = createKafkaTransport({ brokers });
  cleanups.push(() => raw.close());
  await raw.ensureDestinations([{ name: eventLogs, partitions: 1 }]);
  const record = (value: Uint8Array) => ({ destination: eventLogs, key: "", value, headers: {} });
  await raw.send([
    ...goodRecords.map((r) => record(Buffer.from(JSON.stringify(r)))),
    record(Buffer.from(JSON.stringify(filteredRecord))),
    ...badRecords.map((r) => record(r.value)),
  ]);

  writeConfig(config(STATS_DENY));
  bridge = startExample(import.meta.url, ["--config", configFile, "--metrics-port", "0"]);
  cleanups.push(() => bridge.kill());
  const listening = await bridge.waitForLine((l) => l.includes("listening on"), "the bridge to listen");
  const metricsLine = await bridge.waitForLine((l) => l.startsWith("bridge: metrics at "), "the metrics URL");
  metricsUrl = metricsLine.slice("bridge: metrics at ".length);
  url = /http:\/\/[\d.:]+/.exec(listening)![0];
  pid = Number(/pid (\d+)/.exec(listening)![1]);
  await until("/healthz 200", async () => (await health()).status === 200);

  consumerTransport = createKafkaTransport({ brokers });
  cleanups.push(() => consumerTransport.close());
  consumer = createConsumer({
    transport: consumerTransport,
    group: `${prefix}-check`,
    destinations: [`${prefix}.events`, `${prefix}.kytos.topology`],
    from: "beginning",
    gaps: false,
  }).on("*", (event, context) => {
    if (event.source === source) typed.push({ event, destination: context.destination });
  });
  await consumer.start();
  cleanups.push(() => consumer.stop({ timeoutMs: 5000 }));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe("controller-bridge on Kafka", () => {
  it("publishes POSTed controller events typed, per NApp and verbose; the configured filter leaves stats out", async () => {
    const batch = kytosEventFixtures.map((f) => ({ name: f.name, content: f.content }));
    const res = await post(
      JSON.stringify(batch),
      { "content-type": "application/json" },
      "/events?wait=durable",
    );
    expect(res.status).toBe(200);
    const results = res.body.results as { status: string; id?: string; delivered?: boolean }[];
    expect(results).toHaveLength(batch.length);
    const filtered = batch.filter((_, i) => results[i]!.status === "filtered").map((e) => e.name);
    expect(filtered.sort()).toEqual([
      "kytos/of_core.flow_stats.received",
      "kytos/of_core.port_stats",
      "kytos/of_core.table_stats.received",
    ]);
    const published = results
      .map((r, i) => ({ ...r, name: batch[i]!.name }))
      .filter((r) => r.status === "published");
    expect(published.every((r) => r.delivered === true)).toBe(true);

    const single = await post(
      JSON.stringify({ name: "kytos/topology.link_up", content: { link: linkJson(), reason: "link up" } }),
    );
    expect(single).toMatchObject({ status: 202, body: { status: "published" } });

    const ids = new Map(published.map((r) => [r.id!, r.name]));
    ids.set(single.body.id as string, "kytos/topology.link_up");
    await until("every published event on the verbose topic", () =>
      [...ids.keys()].every((id) =>
        typed.some((t) => t.event.id === id && t.destination === `${prefix}.events`),
      ),
    );
    for (const { event } of typed.filter((t) => ids.has(t.event.id)))
      expect(event.name).toBe(ids.get(event.id));
    const linkUp = typed.filter((t) => t.event.id === single.body.id);
    expect(linkUp.map((t) => t.destination).sort()).toEqual([`${prefix}.events`, `${prefix}.kytos.topology`]);
    expect(linkUp[0]!.event).toMatchObject({ key: linkId, source });
  });

  it("answers bad input with a 4xx and its reason, and stays up", async () => {
    const json = { "content-type": "application/json" };
    const cases: [Promise<{ status: number; body: Record<string, unknown> }>, number, string, RegExp][] = [
      [post("{not json"), 400, "INVALID_JSON", /not JSON/],
      [post("[]"), 400, "INVALID_EVENT", /empty/],
      [post(JSON.stringify({ content: {} })), 400, "INVALID_EVENT", /needs "name"/],
      [
        post(JSON.stringify({ name: "kytos/topology.link_up", content: [] })),
        400,
        "INVALID_EVENT",
        /"content" must be an object/,
      ],
      [
        post(JSON.stringify({ name: "kytos/topology.link_up", content: {}, when: 1 })),
        400,
        "INVALID_EVENT",
        /unknown key\(s\) "when"/,
      ],
      [
        post(JSON.stringify({ name: "kytos/nope.unknown", content: {} })),
        422,
        "KE_UNKNOWN_EVENT_NAME",
        /kytos\/nope\.unknown/,
      ],
      [
        post(JSON.stringify({ name: "kytos/topology.link_up", content: { link: "x" } })),
        422,
        "KE_MAPPING_INVALID",
        /"link"/,
      ],
      [post("{}", { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE", /text\/plain/],
      [
        post(JSON.stringify({ name: "x", content: { pad: "y".repeat(70_000) } })),
        413,
        "BODY_TOO_LARGE",
        /65536 bytes/,
      ],
      [post("{}", json, "/nowhere"), 404, "NOT_FOUND", /nowhere/],
      [
        fetch(`${url}/events`).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Record<string, unknown>,
        })),
        405,
        "METHOD_NOT_ALLOWED",
        /POST/,
      ],
    ];
    for (const [request, status, error, reason] of cases) {
      const res = await request;
      expect(res.status, `${error}`).toBe(status);
      expect(res.body.error).toBe(error);
      expect(res.body.reason).toMatch(reason);
    }
    const mixed = await post(
      JSON.stringify([
        { name: "kytos/topology.switch.enabled", content: { dpid: "00:00:00:00:00:00:00:09" } },
        { name: "kytos/nope.unknown", content: {} },
      ]),
    );
    expect(mixed.status).toBe(422);
    expect((mixed.body.results as { status: string }[]).map((r) => r.status)).toEqual([
      "published",
      "refused",
    ]);
    const h = await health();
    expect(h.status).toBe(200);
    expect(h.body.refused.invalid).toBeGreaterThanOrEqual(3);
  });

  it("republishes kafka_events records typed and dead-letters the ones that do not map, with the reason", async () => {
    const stats = await until("every event_logs record settled", async () => {
      const s = (await health()).body.eventLogs;
      return s.republished + s.filtered + s.deadLettered === goodRecords.length + 1 + badRecords.length
        ? s
        : undefined;
    });
    expect(stats).toMatchObject({
      received: goodRecords.length + 1 + badRecords.length,
      republished: goodRecords.length,
      filtered: 1,
      deadLettered: badRecords.length,
      retried: 0,
    });
    await until("the republished events on the verbose topic", () =>
      goodRecords.every((r) =>
        typed.some(
          (t) =>
            t.event.name === r.event &&
            t.destination === `${prefix}.events` &&
            t.event.envelope.source === source,
        ),
      ),
    );
    const linkDown = typed.find((t) => t.event.name === "kytos/topology.link_down");
    expect(linkDown?.event.key).toBe(linkId);

    const dead: InboundRecord[] = [];
    const subscription: Subscription = await raw.subscribe({
      group: `${prefix}-dlq-check`,
      destinations: [`${eventLogs}.dlq`],
      fromBeginning: true,
    });
    const reading = (async () => {
      for await (const record of subscription) {
        dead.push(record);
        await record.ack();
      }
    })();
    await until("every dead letter", () => dead.length >= badRecords.length);
    await subscription.close();
    await reading;
    for (const bad of badRecords) {
      const copy = dead.find((d) => Buffer.from(d.value).equals(Buffer.from(bad.value)));
      expect(copy, `dead letter of ${Buffer.from(bad.value).toString()}`).toBeDefined();
      expect(copy!.headers[Header.DeadLetterReason]).toMatch(bad.reason);
    }
  });

  it("serves Prometheus metrics with --metrics-port: the producer's buffer, sends and drops as /healthz counts them; the ingest's lag, handled records and dead letters", async () => {
    // Everything taken is delivered (the earlier tests waited for it), and the ingest settled.
    const ingestRecords = goodRecords.length + 1 + badRecords.length;
    const scrape = await until("a scrape with everything settled", async () => {
      const s = await scrapeMetrics(metricsUrl);
      const h = (await health()).body;
      const settled =
        h.output.delivered === h.output.accepted &&
        s.sum("kytos_events_publish_events_total") === h.output.accepted &&
        s.sum("kytos_events_consume_lag", { destination: eventLogs }) === 0 &&
        s.sum("kytos_events_handler_duration_ms_count") === ingestRecords;
      return settled ? { s, h } : undefined;
    });
    const { s, h } = scrape!;
    expect(h.output.accepted).toBeGreaterThan(0);
    // Producer: one lane, its buffer empty, every event acknowledged by the broker.
    expect(s.series("kytos_events_buffer_depth").map((x) => [x.labels.lane, x.value])).toEqual([
      ["output", 0],
    ]);
    // Dropped from the lane's buffer: none, as /healthz says; refused as bad input (no lane): as /healthz counts them.
    expect(s.sum("kytos_events_publish_dropped_total", { lane: "output" })).toBe(
      Object.values(h.output.dropped).reduce((a, b) => a + b, 0),
    );
    expect(s.sum("kytos_events_publish_dropped_total", { lane: "output" })).toBe(0);
    expect(s.sum("kytos_events_publish_dropped_total", { reason: "invalid" })).toBe(h.refused.invalid);
    expect(h.refused.invalid).toBeGreaterThanOrEqual(3);
    // One send latency sample per event the broker acknowledged.
    expect(s.sum("kytos_events_send_latency_ms_count", { lane: "output" })).toBe(h.output.delivered);
    // The event_logs ingest: one partition, caught up; every record handled once, six dead-lettered.
    expect(
      s.series("kytos_events_consume_lag", { destination: eventLogs }).map((x) => x.labels.partition),
    ).toEqual(["0"]);
    expect(s.sum("kytos_events_consume_records_total", { destination: eventLogs })).toBe(ingestRecords);
    expect(s.sum("kytos_events_consume_dead_letters_total", { destination: eventLogs })).toBe(
      badRecords.length,
    );
    expect(s.sum("kytos_events_consume_dead_letters_total", { event: "unmapped" })).toBe(
      badRecords.length - 1,
    );
    expect(s.sum("kytos_events_handler_duration_ms_count", { event: "kytos/topology.link_down" })).toBe(2);
  });

  it("applies a new filter on SIGHUP, refuses a broken file keeping the current one, and stops cleanly on SIGTERM", async () => {
    const linkUp = JSON.stringify({
      name: "kytos/topology.link_up",
      content: { link: linkJson(), reason: "link up" },
    });
    // A new filter, and transport settings that differ (brokers as a list): a new connection.
    writeConfig({
      ...config({ deny: ["kytos/topology\\..*"] }),
      transport: { kind: "kafka", brokers: [brokers] },
    });
    let from = bridge.stderr.length;
    process.kill(pid, "SIGHUP");
    await until("the reload", () =>
      bridge.stderr.slice(from).some((l) => l.includes(`reloaded ${configFile} (new output connection)`)),
    );
    expect(await post(linkUp)).toMatchObject({ status: 202, body: { status: "filtered" } });
    const evc = kytosEventFixtures.find((f) => f.name === "kytos/mef_eline.created")!;
    const delivered = await post(
      JSON.stringify({ name: evc.name, content: evc.content }),
      { "content-type": "application/json" },
      "/events?wait=durable",
    );
    expect(delivered).toMatchObject({ status: 200, body: { status: "published", delivered: true } });
    await until("the event sent on the new connection", () =>
      typed.some((t) => t.event.id === delivered.body.id),
    );
    expect((await health()).body.config.reloads).toBe(1);

    writeConfig(config({ deny: ["kytos/topology\\.(link"] }));
    from = bridge.stderr.length;
    process.kill(pid, "SIGHUP");
    await until("the refusal", () => bridge.stderr.slice(from).some((l) => l.includes("reload refused")));
    const h = await health();
    expect(h.body.config).toMatchObject({
      reloads: 1,
      lastReloadError: expect.stringContaining("kytos/topology\\.(link"),
    });
    expect(await post(linkUp)).toMatchObject({ status: 202, body: { status: "filtered" } });

    writeConfig("{ this is not json");
    from = bridge.stderr.length;
    process.kill(pid, "SIGHUP");
    await until("the refusal", () => bridge.stderr.slice(from).some((l) => l.includes("reload refused")));
    expect((await health()).status).toBe(200);

    expect(await bridge.stop("SIGTERM")).toBe(0);
    expect(bridge.stderr.join("\n")).toContain("stopped, nothing lost");
  });
});
