// Proves the harness: the integration project reaches a real Kafka broker.
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, inject, it } from "vitest";

const kafka = new Kafka({
  clientId: "smoke",
  brokers: inject("kafkaBrokers").split(","),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const topic = `smoke-${randomUUID()}`;

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

describe("Kafka smoke", () => {
  it("produces with acks=all and consumes the same record in a consumer group, on a 3-partition topic", async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).toHaveLength(3);

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

    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<{ partition: number; key: string; value: number[]; header: string }>(
      (resolve) => {
        void consumer.run({
          eachMessage: async ({ partition, message }) =>
            resolve({
              partition,
              key: String(message.key),
              value: [...(message.value ?? [])],
              header: String(message.headers?.["ke-event-type"]),
            }),
        });
      },
    );
    await consumer.disconnect();
    expect(got).toEqual({
      partition: ack?.partition,
      key: "link-1",
      value: [0, 1, 2, 255],
      header: "kytos/topology.link_up",
    });
  });
});
