// The producer and consumer on the real Kafka reporting to one PrometheusMetrics, read the way
// Prometheus reads it: HTTP scrapes of serveMetrics. The scrapes show consumer lag per
// partition (N while handlers hold N events, 0 once handled), the handler latency histogram,
// the producer's buffer depth, a drop (bad input refused by publishKytos) and the dead letter
// of a record that does not decode.
import { randomUUID } from "node:crypto";
import { createConsumer } from "@kytos-events/consumer";
import { createKafkaTransport, type KafkaTransport } from "@kytos-events/kafka";
import { createProducer, type Producer } from "@kytos-events/producer";
import { afterAll, describe, expect, it } from "vitest";
import { type MetricsServer, serveMetrics } from "./metrics-endpoint.js";
import { PrometheusMetrics } from "./prometheus-metrics.js";

const brokers = process.env.KAFKA_BROKERS!;
const timeout = 90_000;

interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of one metric name in an exposition text (label values without escapes). */
function series(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[k!] = v!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(server: MetricsServer): Promise<string> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrapes until `predicate` holds for a scrape; rejects at the deadline with the last one's relevant lines. */
async function scrapeUntil(
  server: MetricsServer,
  predicate: (text: string) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrape(server);
    if (predicate(text)) return text;
    if (Date.now() > deadline) {
      const lines = text.split("\n").filter((l) => l.startsWith("kytos_events_consume"));
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last scrape:\n${lines.join("\n")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sum = (samples: readonly Sample[]) => samples.reduce((a, s) => a + s.value, 0);

describe("Prometheus exposition on real Kafka", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  }, timeout);

  it(
    "shows lag per partition, handler latency, buffer depth, drops and dead letters in a scrape",
    async () => {
      const run = randomUUID().slice(0, 8);
      const routing = {
        nappDestination: `prom-${run}.{topic}`,
        verboseDestination: `prom-${run}.events`,
        statusDestination: false,
        partitions: 3,
      } as const;
      const verbose = routing.verboseDestination;
      const metrics = new PrometheusMetrics();
      const server = await serveMetrics({ registry: metrics.registry, port: 0, host: "127.0.0.1" });
      closers.push(() => server.close());

      const producer: Producer = createProducer({
        source: "kytos-prom-test",
        lanes: [{ name: "kafka", transport: createKafkaTransport({ brokers }), routing }],
        metrics,
      });
      closers.push(() => producer.close({ timeoutMs: 10_000 }));
      await producer.ready({ timeoutMs: 60_000 });

      const n = 12;
      for (let i = 0; i < n; i++) {
        producer.publish("kytos/topology.link_down", { link: { id: `link-${i}` }, reason: "test" });
      }
      // Bad input: refused and counted as a drop, never thrown.
      const refused = producer.publishKytos("kytos/no_such.event", {});
      expect(refused.accepted).toBe(false);
      expect(await producer.flush({ timeoutMs: 30_000 })).toBe(true);

      const consumerTransport: KafkaTransport = createKafkaTransport({ brokers });
      closers.push(() => consumerTransport.close());
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const consumer = createConsumer({
        transport: consumerTransport,
        group: `prom-${run}`,
        destinations: [verbose],
        from: "beginning",
        gaps: false,
        metrics,
      });
      consumer.on("kytos/topology.link_down", () => gate);
      await consumer.start();
      closers.push(() => consumer.stop({ timeoutMs: 5000 }));

      // Every handler is held: all N events are lag, spread over the topic's partitions.
      const held = await scrapeUntil(
        server,
        (t) =>
          sum(series(t, "kytos_events_consume_lag").filter((s) => s.labels.destination === verbose)) === n,
        `consumer lag ${n} on ${verbose}`,
      );
      const lag = series(held, "kytos_events_consume_lag").filter((s) => s.labels.destination === verbose);
      expect(lag.length, "a lag series per partition that had records").toBeGreaterThan(1);
      for (const s of lag) expect(["0", "1", "2"]).toContain(s.labels.partition);

      release();
      const handled = await scrapeUntil(
        server,
        (t) =>
          series(t, "kytos_events_handler_duration_ms_count").some(
            (s) => s.labels.event === "kytos/topology.link_down" && s.value === n,
          ) &&
          series(t, "kytos_events_consume_lag")
            .filter((s) => s.labels.destination === verbose)
            .every((s) => s.value === 0),
        `${n} handler runs and lag 0`,
      );
      const buckets = series(handled, "kytos_events_handler_duration_ms_bucket").filter(
        (s) => s.labels.event === "kytos/topology.link_down",
      );
      expect(buckets.find((s) => s.labels.le === "+Inf")?.value).toBe(n);
      expect(buckets.length).toBeGreaterThan(2);
      // The producer's side: its buffer emptied, the refused event counted as a drop.
      expect(series(handled, "kytos_events_buffer_depth")).toContainEqual({
        labels: { lane: "kafka" },
        value: 0,
      });
      expect(series(handled, "kytos_events_publish_dropped_total")).toContainEqual({
        labels: { reason: "invalid" },
        value: 1,
      });
      expect(
        sum(series(handled, "kytos_events_send_latency_ms_count").filter((s) => s.labels.lane === "kafka")),
      ).toBeGreaterThanOrEqual(n);

      // A record that does not decode is dead-lettered, counted, and leaves no lag behind.
      await consumerTransport.send([
        { destination: verbose, key: "garbage", value: new Uint8Array([0xff, 0x00, 0x13]), headers: {} },
      ]);
      const dead = await scrapeUntil(
        server,
        (t) =>
          sum(
            series(t, "kytos_events_consume_dead_letters_total").filter(
              (s) => s.labels.destination === verbose,
            ),
          ) === 1 &&
          series(t, "kytos_events_consume_lag")
            .filter((s) => s.labels.destination === verbose)
            .every((s) => s.value === 0),
        "one dead letter and lag 0",
      );
      expect(
        sum(
          series(dead, "kytos_events_consume_records_total").filter((s) => s.labels.destination === verbose),
        ),
      ).toBe(n + 1);
    },
    timeout,
  );
});
