// Producing and consuming through the transport on the real broker, beyond the contract kit:
// keys pin partitions (so per-link/per-switch order holds) the same way in every process,
// headers, keys and timestamps arrive as sent, gzip round-trips, the default dead-letter
// topic is `<topic>.dlq`, pattern subscriptions, aborted sends, and a consumer that holds
// records longer than its session timeout keeps its group membership.
import { randomUUID } from "node:crypto";
import { waitForTopicLeaders } from "@kytos-events/brokers";
import { ErrorCode, Header, type InboundRecord, type OutboundRecord, SendError } from "@kytos-events/core";
import { Collector } from "@kytos-events/core/testkit";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTransport, type KafkaTransport } from "./kafka-transport.js";

const brokers = process.env.KAFKA_BROKERS!;
const timeout = 60_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (r: InboundRecord) => decoder.decode(r.value);
const fresh = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const transports: KafkaTransport[] = [];
const collectors: Collector[] = [];

function transport(extra: Partial<Parameters<typeof createKafkaTransport>[0]> = {}): KafkaTransport {
  const t = createKafkaTransport({ brokers, ...extra });
  transports.push(t);
  return t;
}

let main: KafkaTransport;

beforeAll(async () => {
  main = transport();
  await main.connect();
});

afterAll(async () => {
  await Promise.allSettled(collectors.map((c) => c.close()));
  await Promise.allSettled(transports.map((t) => t.close()));
}, timeout);

async function read(
  t: KafkaTransport,
  options: Partial<Parameters<KafkaTransport["subscribe"]>[0]> & { destinations?: string[] },
): Promise<Collector> {
  const sub = await t.subscribe({
    group: fresh("pc"),
    destinations: [],
    fromBeginning: true,
    maxInFlight: 10_000,
    ...options,
  });
  const c = new Collector(sub);
  collectors.push(c);
  return c;
}

const record = (destination: string, key: string, value: string, headers = {}): OutboundRecord => ({
  destination,
  key,
  value: encoder.encode(value),
  headers,
});

describe("kafka produce/consume", () => {
  it("sends exactly a value's own bytes whether it is a Buffer (sent as is) or a view into a larger buffer", async () => {
    const topic = fresh("pc-bytes");
    await main.ensureDestinations([{ name: topic, partitions: 1 }]);
    const backing = encoder.encode("xxxx-inside-yyyy");
    const values: Uint8Array[] = [
      Buffer.from("a pooled Buffer"), // small Buffers share Node's pool: byteOffset is not 0
      new Uint8Array(backing.buffer, 5, 6), // "inside", a view
      Buffer.from(backing.buffer, 12, 4), // "yyyy", a Buffer view
    ];
    await main.send(values.map((value, i) => ({ destination: topic, key: `k${i}`, value, headers: {} })));
    const c = await read(main, { destinations: [topic] });
    await c.count(3, timeout);
    expect(c.records.map(text)).toEqual(["a pooled Buffer", "inside", "yyyy"]);
  });

  it("puts every record of a key on one partition, the same in every producer, in send order", async () => {
    const topic = fresh("pc-keys");
    await main.ensureDestinations([{ name: topic, partitions: 6 }]);
    const keys = Array.from({ length: 24 }, (_, i) => `link-${i}`);
    const rounds = 30;
    // Concurrent sends from one producer: the batcher must keep call order per key.
    await Promise.all(
      Array.from({ length: rounds }, (_, round) =>
        main.send(keys.map((k) => record(topic, k, `${k}#${round}`))),
      ),
    );
    // A second producer (another process, after a restart) must pick the same partitions.
    const other = transport();
    await other.send(keys.map((k) => record(topic, k, `${k}#${rounds}`)));

    const reader = await read(main, { destinations: [topic] });
    await reader.count(keys.length * (rounds + 1), timeout);
    const lanes = new Set(reader.records.map((r) => r.position.lane));
    expect(lanes.size).toBeGreaterThan(1); // keys do spread over partitions
    for (const key of keys) {
      const mine = reader.records.filter((r) => r.key === key);
      expect(new Set(mine.map((r) => r.position.lane)).size, `partitions of ${key}`).toBe(1);
      expect(mine.map(text)).toEqual(Array.from({ length: rounds + 1 }, (_, i) => `${key}#${i}`));
    }
    await Promise.all(reader.records.map((r) => r.ack()));
  });

  it("delivers key, headers, value and the given timestamp as sent", async () => {
    const topic = fresh("pc-fields");
    await main.ensureDestinations([{ name: topic, partitions: 2 }]);
    const at = Date.parse("2026-01-02T03:04:05.678Z");
    await main.send([
      {
        destination: topic,
        key: "00:00:00:00:00:00:00:01:2",
        value: Uint8Array.of(8, 1, 0, 255),
        headers: {
          [Header.EventType]: "kytos/topology.link_down",
          [Header.ContentType]: "application/x-protobuf",
          [Header.TraceParent]: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
        timestamp: at,
      },
    ]);
    const reader = await read(main, { destinations: [topic] });
    await reader.count(1, timeout);
    const got = reader.records[0]!;
    expect(got.destination).toBe(topic);
    expect(got.key).toBe("00:00:00:00:00:00:00:01:2");
    expect([...got.value]).toEqual([8, 1, 0, 255]);
    expect(got.timestamp).toBe(at);
    expect(got.headers).toMatchObject({
      [Header.EventType]: "kytos/topology.link_down",
      [Header.ContentType]: "application/x-protobuf",
      [Header.TraceParent]: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    expect(got.attempt).toBe(1);
    await got.ack();
  });

  it("refuses only the record over the topic's max.message.bytes and delivers the rest of the batch", async () => {
    const topic = fresh("pc-maxbytes");
    const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      // A topic whose own limit is far below the transport's maxMessageBytes: only the
      // broker can refuse the record.
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: "2000" }] }],
      });
      await waitForTopicLeaders(admin, [topic]);
    } finally {
      await admin.disconnect();
    }
    await main.ensureDestinations([{ name: topic, partitions: 1 }]);
    const error = await main
      .send([
        record(topic, "k", "small-1"),
        record(topic, "k", "x".repeat(5000)),
        record(topic, "k", "small-2"),
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    const failures = (error as SendError).failures;
    expect(failures.map((f) => f.index)).toEqual([1]);
    expect(failures[0]!.retriable).toBe(false);
    expect(failures[0]!.error).toMatchObject({ code: ErrorCode.MessageTooLarge });
    expect(failures[0]!.error.message).toContain(topic);

    const reader = await read(main, { destinations: [topic] });
    await main.send([record(topic, "k", "marker")]);
    await reader.until((rs) => rs.some((r) => text(r) === "marker"), timeout, "the marker");
    expect(reader.records.map(text)).toEqual(["small-1", "small-2", "marker"]);
    await Promise.all(reader.records.map((r) => r.ack()));
  });

  it("round-trips records sent with gzip compression", async () => {
    const gzip = transport({ producer: { compression: "gzip" } });
    const topic = fresh("pc-gzip");
    await gzip.ensureDestinations([{ name: topic, partitions: 1 }]);
    const values = Array.from({ length: 50 }, (_, i) => `{"link":"l${i}","status":"DOWN"}`.repeat(20));
    await gzip.send(values.map((v, i) => record(topic, `l${i}`, v)));
    const reader = await read(main, { destinations: [topic] });
    await reader.count(values.length, timeout);
    expect(reader.records.map(text)).toEqual(values);
    await Promise.all(reader.records.map((r) => r.ack()));
  });

  it("dead-letters to <topic>.dlq by default, creating it, with the reason and the original headers", async () => {
    const topic = fresh("pc-dlq");
    await main.ensureDestinations([{ name: topic, partitions: 2 }]);
    await main.send([record(topic, "poison", "cannot decode", { "x-origin": "test" })]);
    const reader = await read(main, { destinations: [topic] });
    await reader.count(1, timeout);
    const original = reader.records[0]!;
    await original.deadLetter("malformed payload");

    const dead = await read(main, { destinations: [`${topic}.dlq`] });
    await dead.count(1, timeout);
    const copy = dead.records[0]!;
    expect(text(copy)).toBe("cannot decode");
    expect(copy.key).toBe("poison");
    expect(copy.headers["x-origin"]).toBe("test");
    expect(copy.headers[Header.DeadLetterReason]).toBe("malformed payload");
    expect(copy.headers[Header.DeadLetterOrigin]).toBe(
      `${topic}/${original.position.lane.split("/").pop()}@${original.position.offset}`,
    );
    expect(Number.isNaN(Date.parse(copy.headers[Header.DeadLetterAt]!))).toBe(false);
    expect(copy.headers[Header.Attempt]).toBe("1");
    await copy.ack();
  });

  it("leaves a record whose dead letter failed unsettled, so it can be settled again", async () => {
    const topic = fresh("pc-dlq-fail");
    await main.ensureDestinations([{ name: topic, partitions: 1 }]);
    await main.send([record(topic, "k", "first"), record(topic, "k", "second")]);
    // Kafka refuses this topic name, so the dead-letter copy cannot be written.
    const reader = await read(main, { destinations: [topic], deadLetterDestination: "not a valid topic!" });
    await reader.count(2, timeout);
    const [first, second] = reader.records;
    const failed = await first!.deadLetter("poison").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    await second!.ack();
    await first!.retry({ delayMs: 0 });
    await reader.count(3, timeout);
    const again = reader.records[2]!;
    expect(text(again)).toBe("first");
    expect(again.attempt).toBe(2);
    await again.ack();
    const report = await reader.close();
    expect(report.unsettled).toBe(0);
  });

  it("subscribes by topicPattern to every existing matching topic and no other", async () => {
    const prefix = `pcpat${randomUUID().slice(0, 6)}`;
    const [a, b, other] = [`${prefix}.topology`, `${prefix}.mef_eline`, `x${prefix}.topology`];
    await main.ensureDestinations([{ name: a }, { name: b }, { name: other }]);
    await main.send([record(a, "k", "from-a"), record(b, "k", "from-b"), record(other, "k", "from-other")]);
    const reader = await read(main, { topicPattern: new RegExp(`^${prefix}\\.`) });
    await reader.count(2, timeout);
    expect(reader.records.map(text).sort()).toEqual(["from-a", "from-b"]);
    expect(new Set(reader.records.map((r) => r.destination))).toEqual(new Set([a, b]));
    // A marker after the fact: had `other` been subscribed, its record would precede it.
    await main.send([record(a, "k", "marker")]);
    await reader.until((rs) => rs.some((r) => text(r) === "marker"), timeout, "the marker");
    expect(reader.records.some((r) => text(r) === "from-other")).toBe(false);
    await Promise.all(reader.records.map((r) => r.ack()));
  });

  it("refuses a subscription to a topic that does not exist, naming it", async () => {
    const missing = fresh("pc-missing");
    const error = await main
      .subscribe({ group: fresh("pc"), destinations: [missing] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.ConfigInvalid });
    expect((error as Error).message).toContain(`"${missing}"`);
  });

  it("fails an already-aborted send as retriable without sending anything", async () => {
    const topic = fresh("pc-abort");
    await main.ensureDestinations([{ name: topic, partitions: 1 }]);
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const error = await main
      .send([record(topic, "k", "never-1"), record(topic, "k", "never-2")], { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).failures.map((f) => f.index)).toEqual([0, 1]);
    expect((error as SendError).retriable).toBe(true);
    await main.send([record(topic, "k", "marker")]);
    const reader = await read(main, { destinations: [topic] });
    await reader.count(1, timeout);
    expect(reader.records.map(text)).toEqual(["marker"]);
    await reader.records[0]!.ack();
  });

  it("keeps its group membership while holding records unsettled longer than the session timeout", async () => {
    const slow = transport({ consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 } });
    const topic = fresh("pc-hold");
    const group = fresh("pc-hold");
    await main.ensureDestinations([{ name: topic, partitions: 1 }]);
    await main.send(Array.from({ length: 6 }, (_, i) => record(topic, "k", `h${i}`)));
    const reader = await read(slow, { destinations: [topic], group, maxInFlight: 2 });
    await reader.count(2, timeout);

    const admin = new Kafka({ brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const member = async () => (await admin.describeGroups([group])).groups[0]!.members[0]?.memberId;
      const before = await member();
      expect(before).toBeDefined();
      // Hold both records past the 6 s session timeout: without heartbeats from inside the
      // paused fetch, the broker would evict the member and the group would rebalance.
      await new Promise((r) => setTimeout(r, 8000));
      expect(reader.records).toHaveLength(2);
      expect(await member()).toBe(before);
      await reader.until(
        (rs) => {
          for (const r of rs) void r.ack();
          return rs.length >= 6;
        },
        timeout,
        "the rest once records settle",
      );
      expect(reader.records.map(text)).toEqual(["h0", "h1", "h2", "h3", "h4", "h5"]);
      expect(await member()).toBe(before);
    } finally {
      await admin.disconnect();
    }
  });
});
