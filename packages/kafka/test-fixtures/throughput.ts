// A quick measurement of the Kafka transport's send path for the README: throughput and
// per-send latency with producer.lingerMs 0, 2 and 10, for three shapes of load — one sender
// sending one record at a time, 64 concurrent senders of one record each (a controller
// publishing many small events at once), and batches of 500. Not a test: numbers depend on the
// machine. Uses KAFKA_BROKERS, or starts its own broker.
//
// Run from the repository root:
//   node --import tsx --conditions=@kytos-events/source packages/kafka/test-fixtures/throughput.ts
import { randomBytes, randomUUID } from "node:crypto";
import { type KafkaBroker, startKafka } from "@kytos-events/brokers";
import type { OutboundRecord } from "@kytos-events/core";
import { createKafkaTransport, type KafkaTransport } from "../src/index.js";

const LINGERS = [0, 2, 10];
const VALUE_BYTES = 300; // about the size of an encoded link_down envelope
const value = new Uint8Array(randomBytes(VALUE_BYTES));

interface Shape {
  readonly name: string;
  readonly records: number;
  readonly senders: number;
  readonly perSend: number;
}

const SHAPES: Shape[] = [
  { name: "1 sender, 1 record/send", records: 2_000, senders: 1, perSend: 1 },
  { name: "64 senders, 1 record/send", records: 40_000, senders: 64, perSend: 1 },
  { name: "1 sender, 500 records/send", records: 100_000, senders: 1, perSend: 500 },
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function run(transport: KafkaTransport, topic: string, shape: Shape) {
  let next = 0;
  const latencies: number[] = [];
  const record = (i: number): OutboundRecord => ({
    destination: topic,
    key: `link-${i % 64}`,
    value,
    headers: { "content-type": "application/x-protobuf" },
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: shape.senders }, async () => {
      while (next < shape.records) {
        const first = next;
        next += shape.perSend;
        const batch = Array.from({ length: shape.perSend }, (_, i) => record(first + i));
        const t0 = performance.now();
        await transport.send(batch);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: Math.round(shape.records / seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const broker: KafkaBroker | undefined = process.env.KAFKA_BROKERS ? undefined : await startKafka();
const brokers = process.env.KAFKA_BROKERS ?? broker!.brokers.join(",");
try {
  const topic = `throughput-${randomUUID().slice(0, 8)}`;
  const setup = createKafkaTransport({ brokers });
  await setup.ensureDestinations([{ name: topic, partitions: 3 }]);
  await setup.close();
  console.log(`Kafka at ${brokers}, ${VALUE_BYTES}-byte values, 3 partitions, acks=all, idempotent\n`);
  console.log("| load | lingerMs | records/s | send p50 ms | send p99 ms |");
  console.log("|---|---:|---:|---:|---:|");
  for (const shape of SHAPES) {
    for (const lingerMs of LINGERS) {
      const transport = createKafkaTransport({ brokers, producer: { lingerMs } });
      await run(transport, topic, { ...shape, records: Math.min(shape.records, 500 * shape.perSend) }); // warm-up
      const r = await run(transport, topic, shape);
      await transport.close();
      console.log(
        `| ${shape.name} | ${lingerMs} | ${r.perSecond} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
      );
    }
  }
} finally {
  await broker?.destroy();
}
