// The harness's own promises: a dedicated broker keeps its data across restart() and leaves
// no java process behind after destroy().
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { type KafkaBroker, startKafka } from "./index.js";

let broker: KafkaBroker | undefined;
afterAll(async () => {
  await broker?.destroy();
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("KafkaBroker", () => {
  it("keeps topics and records across restart() on the same port, and destroy() leaves no java process", async () => {
    broker = await startKafka();
    const kafka = () => new Kafka({ brokers: broker!.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "survives", numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: "survives", acks: -1, messages: [{ key: "k", value: "before-restart" }] });
    await producer.disconnect();

    const before = broker.brokers[0];
    const firstPid = broker.pid!;
    await broker.restart();
    expect(broker.brokers[0]).toBe(before);
    expect(broker.pid).not.toBe(firstPid);
    expect(processAlive(firstPid)).toBe(false);

    const consumer = kafka().consumer({ groupId: "harness-restart" });
    await consumer.connect();
    await consumer.subscribe({ topic: "survives", fromBeginning: true });
    const value = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    await consumer.disconnect();
    expect(value).toBe("before-restart");

    const pid = broker.pid!;
    await broker.destroy();
    expect(broker.running).toBe(false);
    expect(processAlive(pid)).toBe(false);
  });
});
