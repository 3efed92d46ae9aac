// Topic management on the real broker: ensureDestinations creates what is missing with the
// partitions and cleanup policy asked for (the link-status topic is log-compacted), refuses to
// silently accept an existing topic defined differently, and a send to a topic nobody ensured
// fails at once as non-retriable instead of waiting out the broker's retries.
import { randomUUID } from "node:crypto";
import { ErrorCode, SendError } from "@kytos-events/core";
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

let transport: KafkaTransport;
let admin: Admin;

beforeAll(async () => {
  // A long send retry time: a send that fails quickly below did not sit in kafkajs's retries.
  transport = createKafkaTransport({ brokers, sendRetryTimeMs: 60_000 });
  await transport.connect();
  admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await transport?.close();
  await admin?.disconnect();
});

async function cleanupPolicy(topic: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["cleanup.policy"] }],
  });
  return resources[0]?.configEntries.find((e) => e.configName === "cleanup.policy")?.configValue;
}

async function partitionCount(topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length ?? 0;
}

describe("kafka topics", () => {
  it("creates a compacted topic (cleanup.policy=compact) and a plain one with the partitions asked for", async () => {
    const status = fresh("kytos.link-status");
    const napp = fresh("kytos.topology");
    await transport.ensureDestinations([
      { name: status, partitions: 3, compacted: true },
      { name: napp, partitions: 2, retentionMs: 3_600_000 },
    ]);
    expect(await cleanupPolicy(status)).toBe("compact");
    expect(await partitionCount(status)).toBe(3);
    expect(await cleanupPolicy(napp)).toBe("delete");
    expect(await partitionCount(napp)).toBe(2);
  });

  it("accepts the same definition again (ensure is idempotent)", async () => {
    const topic = fresh("kytos.again");
    const spec = { name: topic, partitions: 2, compacted: true };
    await transport.ensureDestinations([spec]);
    await transport.ensureDestinations([spec]);
    // A second transport knows nothing cached: it checks the existing topic on the broker.
    const other = createKafkaTransport({ brokers });
    try {
      await other.ensureDestinations([spec]);
    } finally {
      await other.close();
    }
    expect(await cleanupPolicy(topic)).toBe("compact");
  });

  it("refuses a conflicting redefinition with KE_TOPOLOGY_CONFLICT naming the topic, and leaves it as it was", async () => {
    const topic = fresh("kytos.conflict");
    await transport.ensureDestinations([{ name: topic, partitions: 3, compacted: true }]);

    const notCompacted = transport.ensureDestinations([{ name: topic, partitions: 3 }]);
    await expect(notCompacted).rejects.toMatchObject({ code: ErrorCode.TopologyConflict });
    await expect(notCompacted).rejects.toThrow(
      `topic "${topic}" exists with 3 partitions and cleanup.policy=compact`,
    );

    const morePartitions = transport.ensureDestinations([{ name: topic, partitions: 6, compacted: true }]);
    await expect(morePartitions).rejects.toMatchObject({ code: ErrorCode.TopologyConflict });
    await expect(morePartitions).rejects.toThrow(/asked for 6 partitions and compaction/);

    expect(await cleanupPolicy(topic)).toBe("compact");
    expect(await partitionCount(topic)).toBe(3);
  });

  it("refuses to make an existing plain topic compacted", async () => {
    const topic = fresh("kytos.plain");
    await transport.ensureDestinations([{ name: topic, partitions: 1 }]);
    await expect(
      transport.ensureDestinations([{ name: topic, partitions: 1, compacted: true }]),
    ).rejects.toMatchObject({
      code: ErrorCode.TopologyConflict,
      message: expect.stringContaining("cleanup.policy=delete"),
    });
    expect(await cleanupPolicy(topic)).toBe("delete");
  });

  it("fails a send to a topic never ensured at once, as non-retriable, naming the topic, and creates nothing", async () => {
    const topic = fresh("kytos.never-ensured");
    const started = Date.now();
    let error: unknown;
    try {
      await transport.send([{ destination: topic, key: "k", value: new Uint8Array([1]), headers: {} }]);
    } catch (err) {
      error = err;
    }
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SendError);
    const sendError = error as SendError;
    expect(sendError.retriable).toBe(false);
    expect(sendError.failures).toHaveLength(1);
    const failure = sendError.failures[0]!;
    expect(failure).toMatchObject({ index: 0, retriable: false });
    expect(failure.error).toMatchObject({ code: ErrorCode.SendRejected });
    expect(failure.error.message).toContain(`topic "${topic}" does not exist`);
    expect(failure.error.message).toContain("ensureDestinations()");
    expect(sendError.message).toContain(topic);
    // Far below the 60 s the transport would spend retrying a retriable failure.
    expect(elapsed).toBeLessThan(15_000);
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it("fails only the records for the missing topic in a mixed batch, and delivers the others", async () => {
    const good = fresh("kytos.good");
    const missing = fresh("kytos.missing");
    await transport.ensureDestinations([{ name: good, partitions: 1 }]);
    const record = (destination: string, n: number) => ({
      destination,
      key: "k",
      value: new TextEncoder().encode(String(n)),
      headers: {},
    });
    const error = await transport.send([record(good, 0), record(missing, 1), record(good, 2)]).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).failures.map((f) => [f.index, f.retriable])).toEqual([[1, false]]);
    const offsets = await admin.fetchTopicOffsets(good);
    expect(offsets[0]?.high).toBe("2");
  });
});
