// Kafka plumbing shared by the consume-side parts: a raw client, topics named per run, and a
// fast pre-load of encoded records (the producer's speed is measured elsewhere; here it only
// has to fill the topic before the clock starts).
import type { OutboundRecord } from "@kytos-events/core";
import { type Admin, type IHeaders, Kafka, logLevel } from "kafkajs";

export function rawKafka(brokers: string, clientId = "bench"): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(","), logLevel: logLevel.NOTHING });
}

export async function createTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
  });
}

/** Writes `records` (all to one topic) with up to 4 batches of 500 in flight, acks=all. */
export async function preload(kafka: Kafka, records: readonly OutboundRecord[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const topic = records[0]?.destination ?? "";
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < records.length; i += 500) {
      const messages = records.slice(i, i + 500).map((r) => ({
        key: r.key ?? null,
        value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
        headers: r.headers as IHeaders,
      }));
      const send = producer.send({ topic, acks: -1, messages }).finally(() => inFlight.delete(send));
      inFlight.add(send);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
}

/** Resolves when `done()` turns true, checking every 20 ms; rejects after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
