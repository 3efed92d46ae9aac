// Measures how `consumer.commitIntervalMs` trades commit requests for ack latency on a real
// broker, to choose and justify the default in the README: a consumer that awaits each ack
// (a table loader) and one that acks without waiting. Prints numbers; not a test.
//   KAFKA_BROKERS=127.0.0.1:9092 node --import tsx --conditions=@kytos-events/source \
//     packages/kafka/test-fixtures/commit-latency.ts
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { createKafkaTransport } from "../src/index.js";

const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const total = Number(process.env.RECORDS ?? 5000);
const value = new Uint8Array(300).fill(7);

/** "serial": apply then await each ack (a table loader); "concurrent": ack without waiting. */
async function run(commitIntervalMs: number, mode: "serial" | "concurrent") {
  const transport = createKafkaTransport({ brokers, consumer: { commitIntervalMs } });
  const topic = `measure-${randomUUID().slice(0, 8)}`;
  await transport.ensureDestinations([{ name: topic, partitions: 3 }]);
  for (let i = 0; i < total; i += 1000) {
    await transport.send(
      Array.from({ length: Math.min(1000, total - i) }, (_, j) => ({
        destination: topic,
        key: `link-${(i + j) % 100}`,
        value,
        headers: {},
      })),
    );
  }
  const group = `measure-${randomUUID().slice(0, 8)}`;
  let commits = 0;
  const subscription = await transport.subscribe({ group, destinations: [topic], fromBeginning: true });
  // kafkajs reports each OffsetCommit as an instrumentation event of the (private) consumer.
  const consumer = (subscription as unknown as { consumer: import("kafkajs").Consumer }).consumer;
  consumer.on(consumer.events.COMMIT_OFFSETS, () => {
    commits++;
  });
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let n = 0;
  for await (const record of subscription) {
    if (mode === "serial") await record.ack();
    else pending.push(record.ack());
    if (++n === total) break;
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  return { mode, commitIntervalMs, recordsPerSecond: Math.round(total / seconds), commits };
}

const rows = [];
for (const mode of ["serial", "concurrent"] as const) {
  for (const interval of [0, 5, 20, 100]) {
    rows.push(await run(interval, mode));
    console.log(rows[rows.length - 1]);
  }
}
console.table(rows);
