// Part 2, producer on real Kafka: the kafka transport and the producer SDK against raw
// kafkajs sending the same bytes (acks=all, idempotent, one request in flight, 500 records
// per request), and against a naive loop awaiting one send per message.
import { type KafkaBroker, startKafka } from "@kytos-events/brokers";
import type { OutboundRecord } from "@kytos-events/core";
import { createKafkaTransport } from "@kytos-events/kafka";
import { createProducer, type EncodedEvent } from "@kytos-events/producer";
import { type IHeaders, Kafka, logLevel, Partitioners } from "kafkajs";
import { type CpuThroughputResult, inRounds, type RoundsResult, timedCpu } from "./cpu-timed.js";
import { fmt } from "./measure.js";
import { eventCount, MAPS_AND_ENCODES, PREBUILT, prebuiltEvents, timedPublish } from "./producer-run.js";
import { printTable } from "./table.js";
import { prebuiltRecords } from "./workload.js";

const BATCH = 500;
const PARTITIONS = 3;

export async function runKafka(quick: boolean): Promise<{ brokers: string; results: RoundsResult[] }> {
  const events = quick ? 20_000 : 100_000;
  const rounds = 2;
  const naiveEvents = quick ? 500 : 3_000;
  let broker: KafkaBroker | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (brokers === undefined || brokers === "") {
    broker = await startKafka();
    brokers = broker.brokers.join(",");
  }
  const run = `${Date.now()}`;
  const kafka = new Kafka({ clientId: "bench", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let results: RoundsResult[] = [];
  try {
    await admin.connect();
    const topic = (name: string) => `bench.${run}.${name}`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: ["raw", "transport", "naive", "producer.topology", "prebuilt.topology"].map((t) => ({
        topic: topic(t),
        numPartitions: PARTITIONS,
      })),
    });

    const rawRecords = prebuiltRecords(topic("raw"), events);
    const transportRecords = prebuiltRecords(topic("transport"), events);
    const encoded = prebuiltEvents(events);
    results = await inRounds(rounds, [
      () => rawKafkajs(kafka, rawRecords),
      () => viaTransport(brokers, transportRecords),
      () => viaProducer(brokers, `bench.${run}.prebuilt`, encoded, PREBUILT),
      () => viaProducer(brokers, `bench.${run}.producer`, events, MAPS_AND_ENCODES),
    ]);
    results.push(
      ...(await inRounds(1, [() => naiveLoop(kafka, prebuiltRecords(topic("naive"), naiveEvents))])),
    );
  } finally {
    await admin.disconnect();
    await broker?.destroy();
  }
  const raw = results[0]?.perSecond ?? 1;
  const rawCpu = results[0]?.cpuUsPerEvent ?? 1;
  printTable(
    `Kafka producer (${fmt(events)} link_down events, ${PARTITIONS} partitions, acks=all, idempotent; median of ${rounds} alternating rounds)`,
    [
      "contender",
      "events",
      "seconds",
      "events/s",
      "range",
      "× raw kafkajs",
      "client CPU µs/event",
      "CPU × raw",
    ],
    results.map((r) => [
      r.contender,
      r.events,
      r.seconds.toFixed(2),
      fmt(r.perSecond),
      `${fmt(r.range[0])}–${fmt(r.range[1])}`,
      (r.perSecond / raw).toFixed(2),
      r.cpuUsPerEvent.toFixed(1),
      (r.cpuUsPerEvent / rawCpu).toFixed(2),
    ]),
  );
  return { brokers: broker ? `self-started Kafka ${broker.version}` : brokers, results };
}

function toMessages(records: readonly OutboundRecord[]) {
  return records.map((r) => ({
    key: r.key,
    value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
    headers: r.headers as IHeaders,
  }));
}

async function rawProducer(kafka: Kafka) {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

async function rawKafkajs(kafka: Kafka, records: OutboundRecord[]): Promise<CpuThroughputResult> {
  const producer = await rawProducer(kafka);
  const topic = records[0]?.destination ?? "";
  const messages = toMessages(records);
  try {
    return await timedCpu("raw kafkajs sendBatch", records.length, async () => {
      for (let i = 0; i < messages.length; i += BATCH) {
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + BATCH) });
      }
    });
  } finally {
    await producer.disconnect();
  }
}

async function naiveLoop(kafka: Kafka, records: OutboundRecord[]): Promise<CpuThroughputResult> {
  const producer = await rawProducer(kafka);
  const topic = records[0]?.destination ?? "";
  const messages = toMessages(records);
  try {
    return await timedCpu("naive: one awaited send per event", records.length, async () => {
      for (const m of messages) await producer.send({ topic, acks: -1, messages: [m] });
    });
  } finally {
    await producer.disconnect();
  }
}

async function viaTransport(brokers: string, records: OutboundRecord[]): Promise<CpuThroughputResult> {
  const transport = createKafkaTransport({ brokers, producer: { maxBatchRecords: BATCH } });
  try {
    // Connects the producer before the clock starts, as the raw client is connected.
    await transport.send(records.slice(0, 1));
    const rest = records.slice(1);
    return await timedCpu("kytos-events kafka transport", records.length, async () => {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < rest.length; i += BATCH) sends.push(transport.send(rest.slice(i, i + BATCH)));
      await Promise.all(sends);
    });
  } finally {
    await transport.close();
  }
}

async function viaProducer(
  brokers: string,
  prefix: string,
  work: number | EncodedEvent[],
  contender: string,
): Promise<CpuThroughputResult> {
  const producer = createProducer({
    source: "bench",
    batch: { maxEvents: BATCH },
    lanes: [
      {
        name: "kafka",
        transport: createKafkaTransport({ brokers, producer: { maxBatchRecords: BATCH } }),
        routing: { nappDestination: `${prefix}.{napp}`, verboseDestination: false, statusDestination: false },
        buffer: { maxEvents: eventCount(work) + 2, maxBytes: 1024 * 1024 * 1024 },
      },
    ],
  });
  try {
    return await timedPublish(producer, work, contender);
  } finally {
    await producer.close();
  }
}
