// Part 6, end-to-end latency: the producer SDK publishing controller JSON at fixed rates and
// the consumer SDK handling it, in one process (one clock), on real Kafka and RabbitMQ.
// Latency = the handler's Date.now() − the envelope's occurred_at (set at publish, ms
// resolution). Scenarios from the seed: a) 1,300 events/min, b) ~3,100 events/s; then a ramp
// that finds the highest rate held without growing lag (backlog at the end of a step under a
// quarter of a second's worth of events, and the publisher on schedule).

import { createAmqpTransport } from "@kytos-events/amqp";
import { createConsumer } from "@kytos-events/consumer";
import type { Transport } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer } from "@kytos-events/producer";
import amqplib from "amqplib";
import { rawKafka, until } from "./kafka-fixtures.js";
import { fmt } from "./measure.js";
import { percentile, publishAtRate } from "./pacing.js";
import { kafkaBrokers } from "./shared-kafka.js";
import { printTable } from "./table.js";
import { EVENT, linkDownContent } from "./workload.js";

const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const KEYS = 1000;

export interface LatencyRow {
  readonly broker: "kafka" | "amqp";
  readonly scenario: string;
  readonly targetPerSecond: number;
  readonly publishedPerSecond: number;
  readonly events: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** This process's CPU time over the step's wall time (1.0 = one core): low while lagging = starved by other load. */
  readonly processCpu: number;
  /** Published but not yet handled when the publishing stopped. */
  readonly backlogAtEnd: number;
  readonly held: boolean;
}

interface Pipeline {
  publish(i: number): void;
  describe(): string;
  readonly latencies: number[];
  published: number;
  handled: number;
  close(): Promise<void>;
}

/**
 * `kafkaScenarioB: false` leaves out scenario b on Kafka when the memory part runs it anyway
 * (its 5-minute sustained run is that scenario, with latency percentiles).
 */
export async function runLatency(
  quick: boolean,
  options: { kafkaScenarioB?: boolean } = {},
): Promise<{ rows: LatencyRow[]; highestHeld: Record<string, number>; errors: Record<string, string> }> {
  const rows: LatencyRow[] = [];
  const highestHeld: Record<string, number> = {};
  const errors: Record<string, string> = {};
  const pipelines = new Map<"kafka" | "amqp", Pipeline>();
  for (const broker of ["kafka", "amqp"] as const) {
    try {
      const pipeline = broker === "kafka" ? await kafkaPipeline() : await amqpPipeline();
      pipelines.set(broker, pipeline);
      await warmUp(pipeline);
    } catch (err) {
      // Reported in the results and on the console; the other broker's rows still count.
      errors[broker] = (err as Error).message;
      console.log(`latency on ${broker} not measured: ${errors[broker]}`);
    }
  }
  try {
    // Scenario a is 22 events/s: both brokers at once cost each other nothing measurable.
    rows.push(
      ...(await Promise.all(
        [...pipelines].map(([broker, p]) =>
          step(p, broker, "a) 1,300 events/min", 1300 / 60, quick ? 5 : 20),
        ),
      )),
    );
    for (const [broker, pipeline] of pipelines) {
      let best = 0;
      if (broker !== "kafka" || options.kafkaScenarioB !== false) {
        const b = await step(pipeline, broker, "b) 187,000 events/min", 3100, quick ? 3 : 10);
        rows.push(b);
        if (b.held) best = 3100;
      }
      for (const rate of quick ? [6000] : [5000, 8000, 12000]) {
        const row = await step(pipeline, broker, "ramp", rate, quick ? 2 : 3);
        rows.push(row);
        if (!row.held) break;
        best = rate;
      }
      highestHeld[broker] = best;
    }
  } finally {
    for (const pipeline of pipelines.values()) await pipeline.close();
  }
  printTable(
    "End-to-end latency, producer SDK → broker → consumer SDK (ms, one process)",
    [
      "broker",
      "scenario",
      "target ev/s",
      "published ev/s",
      "events",
      "p50",
      "p95",
      "p99",
      "max",
      "backlog at end",
      "process CPU",
      "held",
    ],
    rows.map((r) => [
      r.broker,
      r.scenario,
      fmt(r.targetPerSecond),
      fmt(r.publishedPerSecond),
      r.events,
      r.p50,
      r.p95,
      r.p99,
      r.max,
      r.backlogAtEnd,
      `${Math.round(r.processCpu * 100)} %`,
      r.held ? "yes" : "no",
    ]),
  );
  for (const [broker, rate] of Object.entries(highestHeld)) {
    console.log(`highest rate held without growing lag on ${broker}: ${fmt(rate)} events/s`);
  }
  return { rows, highestHeld, errors };
}

/** Publishes slowly until the consumer has joined and handles events. */
async function warmUp(p: Pipeline): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (p.handled === 0) {
    if (Date.now() > deadline) throw new Error("bench: the consumer never received a warm-up event");
    p.publish(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Warm-up events published before the group's assignment are never read ("latest"): count
  // from here on.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  p.published = 0;
  p.handled = 0;
}

async function step(
  p: Pipeline,
  broker: "kafka" | "amqp",
  scenario: string,
  rate: number,
  seconds: number,
): Promise<LatencyRow> {
  p.latencies.length = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const events = await publishAtRate(rate, seconds, (i) => p.publish(i));
  const publishSeconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const processCpu = (used.user + used.system) / 1e6 / publishSeconds;
  const backlogAtEnd = p.published - p.handled;
  try {
    await until(() => p.handled >= p.published, 120_000, `the ${broker} consumer to catch up at ${rate}/s`);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${p.describe()}`);
  }
  const sorted = [...p.latencies].sort((a, b) => a - b);
  const publishedPerSecond = events / publishSeconds;
  return {
    broker,
    scenario,
    targetPerSecond: rate,
    publishedPerSecond,
    events,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    backlogAtEnd,
    processCpu,
    held: backlogAtEnd <= Math.max(10, rate / 4) && publishedPerSecond >= rate * 0.95,
  };
}

/** Controller JSON for one link_down per key, rotated: each link's events stay in order. */
function contents(): Record<string, unknown>[] {
  const content = linkDownContent() as { link: { id: string } };
  return Array.from({ length: KEYS }, (_, k) => ({
    ...content,
    link: { ...content.link, id: `${content.link.id}-${k}` },
  }));
}

async function connect(
  producerTransport: Transport,
  consumerTransport: Transport,
  prefix: string,
  from: "latest" | "beginning",
  cleanup: () => Promise<void>,
): Promise<Pipeline> {
  const bodies = contents();
  const latencies: number[] = [];
  const producer = createProducer({
    source: "bench",
    lanes: [
      {
        name: "bench",
        transport: producerTransport,
        routing: { nappDestination: `${prefix}.{napp}`, verboseDestination: false, statusDestination: false },
        // Room for every event of the longest step: a backlog shows as latency, never as a drop.
        buffer: { maxEvents: 1_000_000, maxBytes: 1024 * 1024 * 1024 },
      },
    ],
  });
  const pipeline: Pipeline = {
    latencies,
    published: 0,
    handled: 0,
    publish(i) {
      producer.publishKytos(EVENT, bodies[i % KEYS]);
      pipeline.published++;
    },
    describe() {
      return JSON.stringify(
        {
          published: pipeline.published,
          handled: pipeline.handled,
          producer: producer.stats(),
          consumer: consumer.stats(),
        },
        (_, v) => (typeof v === "bigint" ? String(v) : v),
      );
    },
    async close() {
      await consumer.stop({ timeoutMs: 5_000 });
      await producer.close();
      await consumerTransport.close();
      await cleanup();
    },
  };
  const consumer = createConsumer({
    transport: consumerTransport,
    group: `${prefix}.latency`,
    destinations: [`${prefix}.topology`],
    from,
    gaps: false,
  }).on(EVENT, (event) => {
    latencies.push(Date.now() - (event.occurredAt?.getTime() ?? Number.NaN));
    pipeline.handled++;
  });
  await consumerTransport.connect();
  await consumerTransport.ensureDestinations([
    { name: `${prefix}.topology`, partitions: 3, eventPrefixes: [""] },
  ]);
  await consumer.start();
  await producer.ready({ timeoutMs: 60_000 });
  return pipeline;
}

async function kafkaPipeline(): Promise<Pipeline> {
  const brokers = await kafkaBrokers();
  const prefix = `bench.${Date.now()}`;
  const admin = rawKafka(brokers).admin();
  await admin.connect();
  return connect(
    createKafkaTransport({ brokers, clientId: "bench-latency-producer" }),
    createKafkaTransport({ brokers, clientId: "bench-latency-consumer" }),
    prefix,
    "latest",
    async () => {
      await admin.deleteTopics({ topics: [`${prefix}.topology`] }).catch(() => undefined);
      await admin.disconnect();
    },
  );
}

async function amqpPipeline(): Promise<Pipeline> {
  const prefix = `bench.${Date.now()}`;
  const exchange = `${prefix}.exchange`;
  return connect(
    createAmqpTransport({ url: AMQP_URL, exchange }),
    createAmqpTransport({ url: AMQP_URL, exchange }),
    prefix,
    "beginning",
    async () => {
      // The benchmark's queue and exchange go; nothing of a run is left on the shared node.
      const connection = await amqplib.connect(AMQP_URL);
      const channel = await connection.createChannel();
      await channel.deleteQueue(`${prefix}.latency.${prefix}.topology`).catch(() => undefined);
      await channel.deleteExchange(exchange).catch(() => undefined);
      await connection.close();
    },
  );
}
