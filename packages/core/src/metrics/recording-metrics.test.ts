import { describe, expect, it } from "vitest";
import { MetricName, noopMetrics } from "./metrics.js";
import { RecordingMetrics } from "./recording-metrics.js";

describe("RecordingMetrics", () => {
  it("sums counters per label set and overall", () => {
    const m = new RecordingMetrics();
    m.count(MetricName.Dropped, 2, { reason: "overflow-oldest" });
    m.count(MetricName.Dropped, 1, { reason: "wait-timeout" });
    m.count(MetricName.Dropped, 1, { reason: "overflow-oldest" });
    expect(m.counter(MetricName.Dropped, { reason: "overflow-oldest" })).toBe(3);
    expect(m.counter(MetricName.Dropped)).toBe(4);
  });

  it("keeps the last gauge value and summarises histograms", () => {
    const m = new RecordingMetrics();
    m.gauge(MetricName.BufferDepth, 10, { lane: "kafka" });
    m.gauge(MetricName.BufferDepth, 3, { lane: "kafka" });
    expect(m.gaugeValue(MetricName.BufferDepth, { lane: "kafka" })).toBe(3);
    for (let v = 1; v <= 100; v++) m.observe(MetricName.SendLatency, v);
    const h = m.histogram(MetricName.SendLatency)!;
    expect([h.count, h.sum, h.min, h.max]).toEqual([100, 5050, 1, 100]);
    expect(h.percentile(50)).toBe(51);
    expect(h.percentile(99)).toBe(100);
  });

  it("has a no-op default that accepts every call", () => {
    expect(() => {
      noopMetrics.count(MetricName.Published);
      noopMetrics.gauge(MetricName.BufferDepth, 1);
      noopMetrics.observe(MetricName.HandlerDuration, 1);
    }).not.toThrow();
  });
});
