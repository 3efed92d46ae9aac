// Proves the harness: the integration project reaches a real Kafka broker, and kafkajs 2.2.4
// can use it for everything the transports need (admin, idempotent acks=all produce, consumer
// groups, commits). The README's version matrix is this file run against each version.
import { randomUUID } from "node:crypto";
import { waitForTopicLeaders } from "@kytos-events/brokers";
import { type Admin, type Consumer, type EachMessagePayload, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const kafka = new Kafka({
  clientId: "smoke",
  brokers: inject("kafkaBrokers").split(","),
  logLevel: logLevel.NOTHING,
});
const topics: string[] = [];
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
});

async function createTopic(numPartitions: number, configEntries: { name: string; value: string }[] = []) {
  const topic = `smoke-${randomUUID()}`;
  topics.push(topic);
  // kafkajs's own waitForLeaders gives up on KRaft's metadata lag; see waitForTopicLeaders.
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, configEntries }],
    waitForLeaders: false,
  });
  expect(created).toBe(true);
  await waitForTopicLeaders(admin, [topic]);
  return topic;
}

/** The first record the consumer sees, or an error naming the topic after `timeoutMs`. */
function firstMessage(consumer: Consumer, topic: string, timeoutMs = 30_000): Promise<EachMessagePayload> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no record consumed from ${topic} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    consumer
      .run({
        autoCommit: false,
        eachMessage: async (payload) => {
          clearTimeout(timer);
          resolve(payload);
        },
      })
      .catch(reject);
  });
}

describe("Kafka smoke", () => {
  it("creates a 3-partition compacted topic whose partitions and configs the admin reads back", async () => {
    const topic = await createTopic(3, [
      { name: "cleanup.policy", value: "compact" },
      { name: "min.cleanable.dirty.ratio", value: "0.01" },
      { name: "segment.ms", value: "1000" },
    ]);
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).toHaveLength(3);

    const { resources } = await admin.describeConfigs({
      resources: [{ type: 2 /* ConfigResourceTypes.TOPIC */, name: topic }],
      includeSynonyms: false,
    });
    const configs = Object.fromEntries(resources[0]!.configEntries.map((c) => [c.configName, c.configValue]));
    expect(configs).toMatchObject({
      "cleanup.policy": "compact",
      "min.cleanable.dirty.ratio": "0.01",
      "segment.ms": "1000",
    });
  });

  it("consumes in a consumer group the record produced with acks=all, with its key, value, headers and partition, and stores the group's commit", async () => {
    const topic = await createTopic(3);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const [ack] = await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: "link-1",
          value: Buffer.from([0, 1, 2, 255]),
          headers: { "ke-event-type": "kytos/topology.link_up" },
        },
      ],
    });
    await producer.disconnect();
    expect(ack?.errorCode).toBe(0);

    const groupId = `smoke-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const { partition, message } = await firstMessage(consumer, topic);
      expect({
        partition,
        key: String(message.key),
        value: [...(message.value ?? [])],
        header: String(message.headers?.["ke-event-type"]),
      }).toEqual({
        partition: ack?.partition,
        key: "link-1",
        value: [0, 1, 2, 255],
        header: "kytos/topology.link_up",
      });
      const next = String(Number(message.offset) + 1);
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed?.partitions.find((p) => p.partition === partition)?.offset).toBe(next);
    } finally {
      await consumer.disconnect();
    }
  });
});
