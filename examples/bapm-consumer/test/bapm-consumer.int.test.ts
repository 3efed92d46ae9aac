// The BAPM consumer as its README runs it, on the real Kafka and PostgreSQL: the controller's
// events are published first; the consumer is SIGKILLed (with its whole process group) a
// third of the way through and started again; the tables then hold exactly one row per event
// and the state the controller left the circuits and links in. A new group replaying
// everything from the beginning changes nothing.
import { randomUUID } from "node:crypto";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer } from "@kytos-events/producer";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleProcess, startExample } from "../../../test/support/example-process.js";
import { type Scrape, scrapeMetrics } from "../../../test/support/scrape-metrics.js";
import { controllerEvents } from "./controller-events.js";

const brokers = process.env.KAFKA_BROKERS!;
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const run = randomUUID().replaceAll("-", "").slice(0, 8);
const topics = `bapm-${run}`;
const tables = `bapm_t${run}_`;
/** The metrics test's own tables: a fresh store, so every event is applied there once. */
const meteredTables = `bapm_m${run}_`;
const { events, expected } = controllerEvents({ links: 6, circuits: 40, flaps: 1200, seed: 42 });

let pool: pg.Pool;
const processes: ExampleProcess[] = [];

function bapm(group: string, tablePrefix = tables, extra: readonly string[] = []): ExampleProcess {
  const p = startExample(
    import.meta.url,
    [
      "--brokers",
      brokers,
      "--napp-destination",
      `${topics}.{topic}`,
      "--table-prefix",
      tablePrefix,
      "--group",
      group,
      // A killed member leaves the group when its session times out: keep that short.
      "--session-timeout-ms",
      "6000",
      "--stats-ms",
      "200",
      ...extra,
    ],
    { DATABASE_URL: databaseUrl },
  );
  processes.push(p);
  return p;
}

async function rows(): Promise<{ rows: number; distinct: number }> {
  const r = await pool.query(
    `SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM (
       SELECT event_id FROM ${tables}circuit_event UNION ALL SELECT event_id FROM ${tables}link_event) e`,
  );
  return { rows: Number(r.rows[0].n), distinct: Number(r.rows[0].d) };
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finalStats = (p: ExampleProcess) => {
  const line = p.stdout.find((l) => l.startsWith("bapm stopped"));
  const number = (name: string) => Number(new RegExp(`${name} (\\d+)`).exec(line ?? "")?.[1]);
  return { line, received: number("received"), applied: number("applied"), duplicates: number("duplicates") };
};

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const producer = createProducer({
    source: "kytos-bapm-test",
    lanes: [
      {
        name: "kafka",
        transport: createKafkaTransport({ brokers }),
        routing: {
          nappDestination: `${topics}.{topic}`,
          verboseDestination: `${topics}.events`,
          statusDestination: `${topics}.status.{entity}`,
        },
      },
    ],
  });
  await producer.ready();
  const receipts = events.map((e) => producer.publishKytos(e.name, e.content));
  const reports = await Promise.all(receipts.map((r) => r.durable));
  await producer.close();
  expect(reports.filter((r) => !r.ok)).toEqual([]);
});

afterAll(async () => {
  for (const p of processes) await p.kill();
  for (const prefix of [tables, meteredTables]) {
    await pool.query(
      ["circuit", "circuit_event", "link", "link_event", "handled"]
        .map((t) => `DROP TABLE IF EXISTS ${prefix}${t};`)
        .join(""),
    );
  }
  await pool.end();
});

describe("bapm-consumer on Kafka and PostgreSQL", () => {
  it("writes one row per event and the final states, across a SIGKILL and a restart", async () => {
    const first = bapm(`bapm-${run}`);
    await until("a third of the events recorded", async () => (await rows()).rows >= expected.recorded / 3);
    await first.kill();
    // A COMMIT the killed process sent just before dying still completes: count once its
    // sessions are gone.
    await until("the killed instance's sessions to end", async () => {
      const r = await pool.query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'bapm'",
      );
      return Number(r.rows[0].n) === 0;
    });
    const atKill = await rows();
    expect(atKill.rows).toBeLessThan(expected.recorded);

    const second = bapm(`bapm-${run}`);
    await until("every event recorded", async () => (await rows()).rows >= expected.recorded);
    // Caught up: every record of the group settled (received = handled + duplicates).
    await second.waitForLine(
      (l) =>
        /received (\d+)/.test(l) && Number(/applied (\d+)/.exec(l)![1]) + atKill.rows >= expected.recorded,
      "the second instance to have applied the rest",
    );
    expect(await second.stop("SIGTERM")).toBe(0);
    const stats = finalStats(second);
    console.log(`bapm after the kill: ${atKill.rows} rows; restarted instance: ${stats.line}`);

    expect(await rows()).toEqual({ rows: expected.recorded, distinct: expected.recorded });
    // Each event was applied once: by the killed instance or by the restarted one.
    expect(stats.applied).toBe(expected.recorded - atKill.rows);

    const circuits = await pool.query(
      `SELECT evc_id, state, deployments, redeployments, failures FROM ${tables}circuit ORDER BY evc_id`,
    );
    expect(
      new Map(
        circuits.rows.map((r) => [
          r.evc_id,
          {
            state: r.state,
            deployments: r.deployments,
            redeployments: r.redeployments,
            failures: r.failures,
          },
        ]),
      ),
    ).toEqual(expected.circuits);
    const links = await pool.query(`SELECT link_id, status, downs FROM ${tables}link`);
    expect(new Map(links.rows.map((r) => [r.link_id, { status: r.status, downs: r.downs }]))).toEqual(
      expected.links,
    );
    const handled = await pool.query(`SELECT count(*) AS n FROM ${tables}handled`);
    expect(Number(handled.rows[0].n)).toBe(expected.recorded);
  });

  it("a new group replaying every event from the beginning writes nothing: all are duplicates", async () => {
    const replay = bapm(`bapm-${run}-replay`);
    await replay.waitForLine(
      (l) => Number(/duplicates (\d+)/.exec(l)?.[1] ?? -1) >= expected.recorded,
      "every event recognised",
    );
    expect(await replay.stop("SIGINT")).toBe(0);
    expect(finalStats(replay)).toMatchObject({ applied: 0, duplicates: expected.recorded });
    expect(await rows()).toEqual({ rows: expected.recorded, distinct: expected.recorded });
  });

  it("serves Prometheus metrics with --metrics-port: lag per partition, one handler run per event, no dead letters", async () => {
    const metered = bapm(`bapm-${run}-metrics`, meteredTables, ["--metrics-port", "0"]);
    const announced = await metered.waitForLine((l) => l.startsWith("bapm: metrics at "), "the metrics URL");
    const url = announced.slice("bapm: metrics at ".length);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const handled = (s: Scrape) => s.sum("kytos_events_handler_duration_ms_count");
    const lag = (s: Scrape) => s.series("kytos_events_consume_lag");
    // Caught up: every recorded event handled, and every partition's lag back to 0.
    let scrape = await scrapeMetrics(url);
    const deadline = Date.now() + 90_000;
    while (handled(scrape) < expected.recorded || lag(scrape).some((l) => l.value !== 0)) {
      if (Date.now() > deadline)
        throw new Error(`not caught up: ${handled(scrape)} handled, lag ${JSON.stringify(lag(scrape))}`);
      await new Promise((r) => setTimeout(r, 200));
      scrape = await scrapeMetrics(url);
    }
    expect(await metered.stop("SIGTERM")).toBe(0);
    const stats = finalStats(metered);

    // One handler run per recorded event: a fresh store, nothing redelivered, nothing retried.
    expect(stats).toMatchObject({ applied: expected.recorded, duplicates: 0 });
    expect(handled(scrape)).toBe(expected.recorded);
    expect(scrape.sum("kytos_events_consume_records_total")).toBeGreaterThanOrEqual(expected.recorded);
    // Lag per partition of each destination BAPM reads.
    const destinations = [`${topics}.kytos.mef_eline`, `${topics}.kytos.topology`];
    for (const destination of destinations) {
      const partitions = lag(scrape).filter((l) => l.labels.destination === destination);
      expect(partitions.length, destination).toBeGreaterThanOrEqual(1);
      for (const p of partitions) expect(p.labels.partition).toMatch(/^\d+$/);
    }
    expect(new Set(lag(scrape).map((l) => l.labels.destination))).toEqual(new Set(destinations));
    expect(scrape.sum("kytos_events_consume_dead_letters_total")).toBe(0);
    expect(scrape.sum("kytos_events_consume_duplicates_total")).toBe(0);
    // Gone with the process.
    await expect(fetch(url)).rejects.toThrow();
  });
});
