import { describe, expect, it } from "vitest";
import { MetricName, metricDefinitions, noopMetrics } from "./metrics.js";
import { RecordingMetrics } from "./recording-metrics.js";

describe("metric definitions", () => {
  it("define every metric name once, with a kind, a unit and label names", () => {
    const names = Object.values(MetricName);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(metricDefinitions).sort()).toEqual([...names].sort());
    for (const name of names) {
      const d = metricDefinitions[name];
      expect(["counter", "gauge", "histogram"], name).toContain(d.kind);
      expect(d.unit.length, name).toBeGreaterThan(0);
      if (d.kind === "histogram") expect(d.unit, name).toBe("ms");
      // Prometheus and OpenTelemetry both accept [a-z_.] names; adapters may map "." to "_".
      expect(name).toMatch(/^kytos_events\.[a-z_.]+$/);
    }
  });
});

describe("RecordingMetrics", () => {
  it("sums counters per label set and overall", () => {
    const m = new RecordingMetrics();
    m.count(MetricName.Dropped, 2, { reason: "overflow-oldest" });
    m.count(MetricName.Dropped, 1, { reason: "wait-timeout" });
    m.count(MetricName.Dropped, 1, { reason: "overflow-oldest" });
    expect(m.counter(MetricName.Dropped, { reason: "overflow-oldest" })).toBe(3);
    expect(m.counter(MetricName.Dropped)).toBe(4);
  });

  it("keeps the last gauge value and summarises histograms with nearest-rank percentiles", () => {
    const m = new RecordingMetrics();
    m.gauge(MetricName.BufferDepth, 10, { lane: "main" });
    m.gauge(MetricName.BufferDepth, 3, { lane: "main" });
    expect(m.gaugeValue(MetricName.BufferDepth, { lane: "main" })).toBe(3);
    for (let v = 1; v <= 100; v++) m.observe(MetricName.SendLatency, v);
    const h = m.histogram(MetricName.SendLatency)!;
    expect([h.count, h.sum, h.min, h.max]).toEqual([100, 5050, 1, 100]);
    expect([h.percentile(50), h.percentile(99), h.percentile(100)]).toEqual([50, 99, 100]);
    expect(m.snapshot()).toEqual({
      counters: {},
      gauges: { "kytos_events.buffer.depth{lane=main}": 3 },
      histograms: { "kytos_events.send.latency_ms": { count: 100, sum: 5050, p50: 50, p99: 99 } },
    });
  });

  it("notes a wrong kind or an undefined label instead of throwing", () => {
    const m = new RecordingMetrics();
    m.count(MetricName.Published, 1, { lane: "main", event: "kytos/topology.link_up" });
    expect(m.misuses).toEqual([]);
    m.gauge(MetricName.Published, 1);
    m.count(MetricName.Dropped, 1, { colour: "red" });
    expect(m.misuses).toEqual([
      "kytos_events.publish.events: a counter, used as a gauge",
      'kytos_events.publish.dropped: label "colour" is not defined',
    ]);
  });

  it("has a no-op default that accepts every call", () => {
    expect(() => {
      noopMetrics.count(MetricName.Published);
      noopMetrics.gauge(MetricName.BufferDepth, 1);
      noopMetrics.observe(MetricName.HandlerDuration, 1);
    }).not.toThrow();
  });
});
