import { ErrorCode, type KytosEventsError, MetricName, metricDefinitions } from "@kytos-events/core";
import { Counter, type OpenMetricsContentType, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DEFAULT_LATENCY_BUCKETS_MS } from "./buckets.js";
import { PrometheusMetrics } from "./prometheus-metrics.js";
import { prometheusName } from "./prometheus-name.js";

const TYPE_OF = { counter: "counter", gauge: "gauge", histogram: "histogram" } as const;

/** The sample lines of one metric name (exact name, any labels), as "name{labels} value". */
function samples(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe("prometheusName", () => {
  it("turns dots into underscores and gives counters the _total suffix", () => {
    expect(prometheusName(MetricName.Published, "counter")).toBe("kytos_events_publish_events_total");
    expect(prometheusName(MetricName.BufferDepth, "gauge")).toBe("kytos_events_buffer_depth");
    expect(prometheusName(MetricName.HandlerDuration, "histogram")).toBe("kytos_events_handler_duration_ms");
    expect(prometheusName(MetricName.ConsumerLag, "gauge")).toBe("kytos_events_consume_lag");
  });
});

describe("PrometheusMetrics", () => {
  it("exposes every metric definition with HELP and TYPE before anything is recorded", async () => {
    const text = await new PrometheusMetrics().exposition();
    const names = Object.entries(metricDefinitions);
    expect(names.length).toBeGreaterThan(10);
    for (const [name, d] of names) {
      const exposed = prometheusName(name, d.kind);
      expect(text, name).toContain(`# HELP ${exposed} ${d.description} (${d.unit})\n`);
      expect(text, name).toContain(`# TYPE ${exposed} ${TYPE_OF[d.kind]}\n`);
    }
    // Names are valid Prometheus metric names.
    for (const line of text.split("\n").filter((l) => l.startsWith("# TYPE "))) {
      expect(line.split(" ")[2]).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    }
  });

  it("records counters, gauges and histograms under their labels", async () => {
    const m = new PrometheusMetrics();
    m.count(MetricName.Dropped, 2, { lane: "main", reason: "overflow-oldest" });
    m.count(MetricName.Dropped, 1, { lane: "main", reason: "overflow-oldest" });
    m.count(MetricName.Dropped, 1, { reason: "invalid" });
    m.count(MetricName.Commits);
    m.gauge(MetricName.ConsumerLag, 7, { destination: "kytos.events", partition: "2" });
    m.gauge(MetricName.ConsumerLag, 0, { destination: "kytos.events", partition: "0" });
    m.gauge(MetricName.BufferDepth, 12, { lane: "main" });
    m.gauge(MetricName.BufferDepth, 4, { lane: "main" });
    m.observe(MetricName.HandlerDuration, 3, { event: "kytos/topology.link_down" });
    m.observe(MetricName.HandlerDuration, 40, { event: "kytos/topology.link_down" });
    const text = await m.exposition();

    expect(samples(text, "kytos_events_publish_dropped_total").sort()).toEqual([
      'kytos_events_publish_dropped_total{lane="main",reason="overflow-oldest"} 3',
      'kytos_events_publish_dropped_total{reason="invalid"} 1',
    ]);
    expect(samples(text, "kytos_events_consume_commits_total")).toEqual([
      "kytos_events_consume_commits_total 1",
    ]);
    expect(samples(text, "kytos_events_consume_lag").sort()).toEqual([
      'kytos_events_consume_lag{destination="kytos.events",partition="0"} 0',
      'kytos_events_consume_lag{destination="kytos.events",partition="2"} 7',
    ]);
    expect(samples(text, "kytos_events_buffer_depth")).toEqual(['kytos_events_buffer_depth{lane="main"} 4']);
    const event = 'event="kytos/topology.link_down"';
    expect(samples(text, "kytos_events_handler_duration_ms_count")).toEqual([
      `kytos_events_handler_duration_ms_count{${event}} 2`,
    ]);
    expect(samples(text, "kytos_events_handler_duration_ms_sum")).toEqual([
      `kytos_events_handler_duration_ms_sum{${event}} 43`,
    ]);
    const buckets = samples(text, "kytos_events_handler_duration_ms_bucket");
    expect(buckets).toContain(`kytos_events_handler_duration_ms_bucket{le="2.5",${event}} 0`);
    expect(buckets).toContain(`kytos_events_handler_duration_ms_bucket{le="5",${event}} 1`);
    expect(buckets).toContain(`kytos_events_handler_duration_ms_bucket{le="50",${event}} 2`);
    expect(buckets).toContain(`kytos_events_handler_duration_ms_bucket{le="+Inf",${event}} 2`);
    expect(buckets).toHaveLength(DEFAULT_LATENCY_BUCKETS_MS.length + 1);
  });

  it("uses the buckets given, overall and per metric", async () => {
    const m = new PrometheusMetrics({
      buckets: [1, 10],
      bucketsByMetric: { [MetricName.SendLatency]: [100] },
    });
    m.observe(MetricName.HandlerDuration, 5, { event: "e" });
    m.observe(MetricName.SendLatency, 5, { lane: "main" });
    const text = await m.exposition();
    expect(
      samples(text, "kytos_events_handler_duration_ms_bucket").map((l) => l.match(/le="([^"]+)"/)![1]),
    ).toEqual(["1", "10", "+Inf"]);
    expect(
      samples(text, "kytos_events_send_latency_ms_bucket").map((l) => l.match(/le="([^"]+)"/)![1]),
    ).toEqual(["100", "+Inf"]);
  });

  it("reports a label the definition does not list, or a wrong kind, to onError instead of throwing", async () => {
    const errors: [string, string][] = [];
    const m = new PrometheusMetrics({ onError: (error, metric) => errors.push([metric, error.message]) });
    expect(() => {
      m.count(MetricName.Dropped, 1, { colour: "red" });
      m.gauge(MetricName.Published, 1);
      m.observe("kytos_events.not_a_metric" as MetricName, 1);
    }).not.toThrow();
    m.count(MetricName.Dropped, 1, { reason: "closed" });
    expect(errors.map(([metric]) => metric)).toEqual([
      MetricName.Dropped,
      MetricName.Published,
      "kytos_events.not_a_metric",
    ]);
    expect(errors[0]![1]).toContain("colour");
    expect(errors[1]![1]).toContain("a counter, used as a gauge");
    expect(samples(await m.exposition(), "kytos_events_publish_dropped_total")).toEqual([
      'kytos_events_publish_dropped_total{reason="closed"} 1',
    ]);
  });

  it("accepts an OpenMetrics registry, whose counters prom-client names with _total itself", async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const m = new PrometheusMetrics({ registry });
    m.count(MetricName.Published, 2, { lane: "main", event: "kytos/topology.link_up" });
    const text = await m.exposition();
    expect(text).toContain("# TYPE kytos_events_publish_events counter\n");
    expect(samples(text, "kytos_events_publish_events_total")).toEqual([
      'kytos_events_publish_events_total{lane="main",event="kytos/topology.link_up"} 2',
    ]);
  });

  it("registers on a given registry beside its other metrics, and refuses a second instance there", async () => {
    const registry = new Registry();
    const own = new Counter({
      name: "app_requests_total",
      help: "the application's own",
      registers: [registry],
    });
    own.inc();
    const m = new PrometheusMetrics({ registry });
    m.count(MetricName.Sent, 1, { lane: "main", destination: "kytos.topology" });
    const text = await registry.metrics();
    expect(text).toContain("app_requests_total 1");
    expect(text).toContain('kytos_events_send_records_total{lane="main",destination="kytos.topology"} 1');
    let error: KytosEventsError | undefined;
    try {
      new PrometheusMetrics({ registry });
    } catch (err) {
      error = err as KytosEventsError;
    }
    expect(error?.code).toBe(ErrorCode.ConfigInvalid);
    expect(error?.message).toContain("kytos_events_publish_events_total");
    // Another registry is independent.
    expect(() => new PrometheusMetrics({ registry: new Registry() })).not.toThrow();
  });
});
