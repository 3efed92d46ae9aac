import {
  createMemoryTransport,
  ErrorCode,
  type MetricDefinition,
  MetricName,
  metricDefinitions,
} from "@kytos-events/core";
import { createProducer } from "@kytos-events/producer";
import { linkId } from "@kytos-events/schema/fixtures";
import { metrics as otelMetrics } from "@opentelemetry/api";
import {
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  type MetricData,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { DEFAULT_LATENCY_BUCKETS_MS, OtelMetrics } from "./otel-metrics.js";

/** Collects on demand (a pull reader with nothing to push to). */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

function setup(options: ConstructorParameters<typeof OtelMetrics>[1] = {}) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const sink = new OtelMetrics(provider.getMeter("test"), options);
  const collect = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const out = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics) out.set(m.descriptor.name, m);
    return out;
  };
  return { sink, collect, provider };
}

const points = (m: MetricData | undefined) =>
  (m?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));

describe("OtelMetrics", () => {
  it("creates an instrument for every metric definition, of its kind, unit and description", async () => {
    const { sink, collect } = setup();
    // An instrument shows in a collection once it has a data point: record one on each.
    for (const [name, d] of Object.entries(metricDefinitions) as [MetricName, MetricDefinition][]) {
      if (d.kind === "counter") sink.count(name, 1);
      else if (d.kind === "gauge") sink.gauge(name, 1);
      else sink.observe(name, 1);
    }
    const collected = await collect();
    const expectedType = {
      counter: DataPointType.SUM,
      gauge: DataPointType.GAUGE,
      histogram: DataPointType.HISTOGRAM,
    };
    for (const [name, d] of Object.entries(metricDefinitions)) {
      const m = collected.get(name);
      expect(m, name).toBeDefined();
      expect(m!.dataPointType, name).toBe(expectedType[d.kind]);
      expect(m!.descriptor).toMatchObject({ unit: d.unit, description: d.description });
    }
    expect(collected.size).toBe(Object.keys(metricDefinitions).length);
  });

  it("adds counter values per label set, labels as attributes", async () => {
    const { sink, collect } = setup();
    sink.count(MetricName.Dropped, 2, { lane: "kafka", reason: "overflow-oldest" });
    sink.count(MetricName.Dropped, 3, { lane: "kafka", reason: "overflow-oldest" });
    sink.count(MetricName.Dropped, 1, { lane: "rabbit", reason: "closed" });
    sink.count(MetricName.Retries, undefined, { operation: "send" });
    const collected = await collect();
    expect(points(collected.get(MetricName.Dropped))).toEqual(
      expect.arrayContaining([
        { attributes: { lane: "kafka", reason: "overflow-oldest" }, value: 5 },
        { attributes: { lane: "rabbit", reason: "closed" }, value: 1 },
      ]),
    );
    expect(points(collected.get(MetricName.Retries))).toEqual([
      { attributes: { operation: "send" }, value: 1 },
    ]);
  });

  it("keeps a gauge's last value per label set", async () => {
    const { sink, collect } = setup();
    sink.gauge(MetricName.BufferDepth, 40, { lane: "kafka" });
    sink.gauge(MetricName.BufferDepth, 7, { lane: "kafka" });
    sink.gauge(MetricName.BufferDepth, 3, { lane: "rabbit" });
    expect(points((await collect()).get(MetricName.BufferDepth))).toEqual(
      expect.arrayContaining([
        { attributes: { lane: "kafka" }, value: 7 },
        { attributes: { lane: "rabbit" }, value: 3 },
      ]),
    );
  });

  it("records histograms in ms on the latency buckets", async () => {
    const { sink, collect } = setup();
    for (const v of [0.2, 3, 3, 40, 12_000])
      sink.observe(MetricName.HandlerDuration, v, { event: "kytos/topology.link_down" });
    const m = (await collect()).get(MetricName.HandlerDuration) as HistogramMetricData;
    expect(m.descriptor.unit).toBe("ms");
    const [point] = m.dataPoints;
    expect(point!.attributes).toEqual({ event: "kytos/topology.link_down" });
    expect(point!.value.count).toBe(5);
    expect(point!.value.sum).toBeCloseTo(12_046.2);
    expect(point!.value.buckets.boundaries).toEqual(DEFAULT_LATENCY_BUCKETS_MS);
    const at = (upper: number) => point!.value.buckets.counts[DEFAULT_LATENCY_BUCKETS_MS.indexOf(upper)];
    expect([at(0.25), at(5), at(50), at(30_000)]).toEqual([1, 2, 1, 1]);
  });

  it("takes other bucket boundaries, and refuses ones out of order", async () => {
    const { sink, collect } = setup({ latencyBucketsMs: [1, 10, 100] });
    sink.observe(MetricName.SendLatency, 5, { lane: "kafka" });
    const m = (await collect()).get(MetricName.SendLatency) as HistogramMetricData;
    expect(m.dataPoints[0]!.value.buckets.boundaries).toEqual([1, 10, 100]);
    expect(() => setup({ latencyBucketsMs: [10, 1] })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });

  it("creates instruments from any definitions table, and records a name it does not define rather than drop it", async () => {
    const lag: MetricDefinition = {
      kind: "gauge",
      unit: "{record}",
      description: "records not yet consumed",
      labels: ["destination", "partition"],
    };
    const { sink, collect } = setup({ definitions: { "test.lag": lag } });
    sink.gauge("test.lag" as MetricName, 12, { destination: "kytos.events", partition: "0" });
    sink.count("test.undefined" as MetricName, 4);
    const collected = await collect();
    expect(collected.get("test.lag")!.descriptor).toMatchObject({
      unit: "{record}",
      description: "records not yet consumed",
    });
    expect(points(collected.get("test.lag"))).toEqual([
      { attributes: { destination: "kytos.events", partition: "0" }, value: 12 },
    ]);
    expect(points(collected.get("test.undefined"))).toEqual([{ attributes: {}, value: 4 }]);
  });

  it("refuses something that is not a Meter", () => {
    expect(() => new OtelMetrics({} as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
    // The API's no-op meter is a Meter: accepted, records nothing.
    expect(() => new OtelMetrics(otelMetrics.getMeter("noop"))).not.toThrow();
  });

  it("receives the producer's metrics: events published and send latency per lane", async () => {
    const { sink, collect } = setup();
    const producer = createProducer({
      source: "ctl-1",
      lanes: [{ name: "memory", transport: createMemoryTransport() }],
      metrics: sink,
    });
    const receipts = Array.from({ length: 3 }, () =>
      producer.publish("kytos/topology.link_down", { link: { id: linkId }, reason: "test" }),
    );
    await Promise.all(receipts.map((r) => r.durable));
    await producer.close();
    const collected = await collect();
    expect(points(collected.get(MetricName.Published))).toEqual([
      { attributes: { lane: "memory" }, value: 3 },
    ]);
    const latency = collected.get(MetricName.SendLatency) as HistogramMetricData;
    expect(latency.dataPoints[0]!.attributes).toEqual({ lane: "memory" });
    expect(latency.dataPoints[0]!.value.count).toBe(3);
  });
});
