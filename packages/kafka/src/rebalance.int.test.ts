// A second consumer joining a group mid-stream takes partitions away from a busy first one;
// no record is lost. Consumer A settles slowly and out of order, so at the rebalance it holds
// unsettled records of partitions it loses: those are abandoned without committing past them
// and the new owner gets them again from the last commit. Afterwards the union of what A and B
// acknowledged is every record, and the group's commits reach the end of every partition.
import { randomUUID } from "node:crypto";
import type { InboundRecord, Subscription } from "@kytos-events/core";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../test-fixtures/wait-for.js";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const N = 3000;
const PARTITIONS = 3;

const transports: KafkaTransport[] = [];
let admin: Admin;

beforeAll(async () => {
  admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.allSettled(transports.map((t) => t.close()));
  await admin?.disconnect();
});

function transport(): KafkaTransport {
  const t = createKafkaTransport({
    brokers,
    consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, commitIntervalMs: 50 },
  });
  transports.push(t);
  return t;
}

/** A consumer that settles each record after a random delay, so settlement is out of order. */
class SlowConsumer {
  /** Ids whose ack the transport confirmed. */
  readonly acked: number[] = [];
  /** When each id's ack was confirmed (the last time, if twice). */
  readonly ackedAt = new Map<number, number>();
  /** Settlements refused because the partition was revoked meanwhile (redelivered elsewhere). */
  refused = 0;
  readonly lanes = new Set<string>();
  private readonly running: Promise<void>;

  constructor(
    readonly name: string,
    readonly subscription: Subscription,
    maxDelayMs: number,
  ) {
    const decoder = new TextDecoder();
    const handle = async (record: InboundRecord) => {
      this.lanes.add(record.position.lane);
      await new Promise((r) => setTimeout(r, Math.random() * maxDelayMs));
      try {
        await record.ack();
        const id = Number(decoder.decode(record.value));
        this.acked.push(id);
        this.ackedAt.set(id, Date.now());
      } catch {
        this.refused++;
      }
    };
    this.running = (async () => {
      for await (const record of subscription) void handle(record);
    })();
  }

  async close(): Promise<void> {
    await this.subscription.close();
    await this.running;
  }
}

describe("kafka rebalance", () => {
  it("loses no record when a second consumer joins the group mid-stream", async () => {
    const topic = `rebalance-${randomUUID().slice(0, 8)}`;
    const group = `rebalance-group-${topic}`;
    const producer = transport();
    await producer.ensureDestinations([{ name: topic, partitions: PARTITIONS }]);

    const subscribe = (t: KafkaTransport) =>
      t.subscribe({ group, destinations: [topic], fromBeginning: true, maxInFlight: 32 });
    const a = new SlowConsumer("A", await subscribe(transport()), 40);

    const encoder = new TextEncoder();
    let produced = 0;
    const producing = (async () => {
      while (produced < N) {
        const batch = Array.from({ length: 50 }, (_, i) => ({
          destination: topic,
          key: `evc-${(produced + i) % 37}`,
          value: encoder.encode(String(produced + i)),
          headers: {},
        }));
        await producer.send(batch);
        produced += batch.length;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    await waitFor(
      () => a.acked.length >= N / 4,
      60_000,
      () => `A to ack ${N / 4} records (acked ${a.acked.length}, produced ${produced})`,
    );
    const ackedByABeforeJoin = a.acked.length;
    const joinedAt = Date.now();
    const b = new SlowConsumer("B", await subscribe(transport()), 40);

    await producing;
    const union = () => new Set([...a.acked, ...b.acked]);
    await waitFor(
      () => union().size >= N,
      90_000,
      () => `every record acked by A or B (have ${union().size}; A ${a.acked.length}, B ${b.acked.length})`,
    );
    const missing = [...Array(N).keys()].filter((id) => !union().has(id));
    expect(missing).toEqual([]);
    // The rebalance happened: B received records of partitions A had before it joined.
    expect(b.acked.length).toBeGreaterThan(0);
    expect(a.acked.length).toBeGreaterThan(ackedByABeforeJoin);
    expect([...b.lanes].some((lane) => a.lanes.has(lane))).toBe(true);

    // Commits catch up with the end of every partition.
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    await waitFor(
      async () => {
        const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        return (entry?.partitions ?? []).every((p) => Number(p.offset) === ends.get(p.partition));
      },
      30_000,
      () => "the group's commits to reach the end of every partition",
    );

    await Promise.all([a.close(), b.close()]);
    // An ack confirmed before B joined was committed: B never handles that record again. A
    // record both acked can only be one A settled while the group was rebalancing — kafkajs
    // retries a commit refused during the rebalance with the new generation, and the broker
    // accepts it after B has read its start position (duplicates, never a gap).
    const bothAcked = b.acked.filter((id) => a.ackedAt.has(id));
    const before = bothAcked.filter((id) => a.ackedAt.get(id)! < joinedAt);
    expect(before, "records acked by A before B joined and handled again by B").toEqual([]);
    const total = a.acked.length + b.acked.length;
    console.info(
      `[rebalance] N=${N} acked by A=${a.acked.length} (before B joined ${ackedByABeforeJoin}) ` +
        `by B=${b.acked.length} duplicates=${total - N} (acked by both: ${bothAcked.length}) refused settlements=${a.refused + b.refused}`,
    );
  }, 180_000);
});
