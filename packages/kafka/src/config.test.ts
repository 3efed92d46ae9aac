// resolveKafkaConfig is the Kafka transport's edge: every bad setting is refused at
// construction with KE_CONFIG_INVALID and a message naming the setting and what to write, and
// the defaults the README documents are the ones applied.
import { ErrorCode, KytosEventsError } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { type KafkaTransportConfig, resolveKafkaConfig } from "./config.js";

const base: KafkaTransportConfig = { brokers: ["localhost:9092"] };

function rejection(config: KafkaTransportConfig): KytosEventsError {
  try {
    resolveKafkaConfig(config);
  } catch (err) {
    expect(err).toBeInstanceOf(KytosEventsError);
    expect((err as KytosEventsError).code).toBe(ErrorCode.ConfigInvalid);
    return err as KytosEventsError;
  }
  throw new Error(`expected ${JSON.stringify(config)} to be refused`);
}

describe("resolveKafkaConfig", () => {
  it("applies the documented defaults", () => {
    const c = resolveKafkaConfig(base);
    expect(c).toMatchObject({
      brokers: ["localhost:9092"],
      clientId: "kytos-events",
      tls: false,
      sasl: undefined,
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
      sendRetryTimeMs: 10_000,
      lingerMs: 0,
      maxBatchRecords: 1000,
      maxBatchBytes: 1_000_000,
      maxPendingRecords: 20_000,
      compression: "none",
      replicationFactor: -1,
      compactionDirtyRatio: "0.1",
      compactionSegmentMs: 600_000,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3000,
      commitIntervalMs: 0,
      maxMessageBytes: 1_000_000,
    });
  });

  it("accepts a comma-separated broker string, trimming blanks, and bracketed IPv6 addresses", () => {
    expect(resolveKafkaConfig({ brokers: " kafka-1:9092, kafka-2.example.net:9093 ,," }).brokers).toEqual([
      "kafka-1:9092",
      "kafka-2.example.net:9093",
    ]);
    expect(resolveKafkaConfig({ brokers: ["[::1]:9092"] }).brokers).toEqual(["[::1]:9092"]);
  });

  it("requires brokers and says how to write them", () => {
    expect(rejection({} as KafkaTransportConfig).message).toMatch(/`brokers` is required \(e\.g\./);
    expect(rejection({ brokers: " , " }).message).toMatch(/`brokers` is empty/);
    expect(rejection({ brokers: [] }).message).toMatch(/`brokers` is empty/);
  });

  it("names the broker that is not host:port", () => {
    const err = rejection({ brokers: ["localhost:9092", "kafka://kafka-2:9092"] });
    expect(err.message).toContain('broker "kafka://kafka-2:9092" is not host:port');
    expect(rejection({ brokers: "kafka-3" }).message).toContain('broker "kafka-3"');
    expect(rejection({ brokers: "kafka-3:port" }).message).toContain('broker "kafka-3:port"');
  });

  it("refuses an unknown SASL mechanism or a missing username without echoing the password", () => {
    const password = "never-print-me-7f3a";
    const mechanism = rejection({
      ...base,
      sasl: { mechanism: "gssapi" as "plain", username: "alice", password },
    });
    expect(mechanism.message).toMatch(/sasl\.mechanism must be plain, scram-sha-256 or scram-sha-512/);
    expect(mechanism.message).toContain('"gssapi"');
    const username = rejection({ ...base, sasl: { mechanism: "plain", username: "", password } });
    expect(username.message).toMatch(/non-empty username/);
    const missing = rejection({
      ...base,
      sasl: { mechanism: "scram-sha-256", username: "alice" } as KafkaTransportConfig["sasl"] & {},
    });
    expect(missing.message).toMatch(/password/);
    for (const err of [mechanism, username, missing]) expect(err.message).not.toContain(password);
  });

  it("keeps valid SASL and TLS settings as given", () => {
    const sasl = { mechanism: "scram-sha-512", username: "alice", password: "pw" } as const;
    const c = resolveKafkaConfig({ ...base, sasl, tls: { rejectUnauthorized: true } });
    expect(c.sasl).toEqual(sasl);
    expect(c.tls).toEqual({ rejectUnauthorized: true });
  });

  it("refuses compression codecs that are not built in", () => {
    const err = rejection({ ...base, producer: { compression: "snappy" as "gzip" } });
    expect(err.message).toBe('kafka transport: producer.compression must be "none" or "gzip", got "snappy".');
    expect(resolveKafkaConfig({ ...base, producer: { compression: "gzip" } }).compression).toBe("gzip");
  });

  it("accepts -1 or a positive replication factor and refuses anything else", () => {
    expect(resolveKafkaConfig({ ...base, topics: { replicationFactor: 3 } }).replicationFactor).toBe(3);
    for (const bad of [0, -2, 1.5]) {
      expect(rejection({ ...base, topics: { replicationFactor: bad } }).message).toContain(
        `topics.replicationFactor must be -1 (broker default) or >= 1, got ${bad}.`,
      );
    }
  });

  it("names the numeric setting that is out of range, with its minimum", () => {
    const cases: [KafkaTransportConfig, string][] = [
      [{ ...base, connectionTimeoutMs: 0 }, "connectionTimeoutMs must be a number >= 1, got 0."],
      [{ ...base, requestTimeoutMs: Number.NaN }, "requestTimeoutMs must be a number >= 1, got NaN."],
      [{ ...base, sendRetryTimeMs: -1 }, "sendRetryTimeMs must be a number >= 0, got -1."],
      [{ ...base, producer: { lingerMs: -5 } }, "producer.lingerMs must be a number >= 0, got -5."],
      [{ ...base, producer: { maxBatchRecords: 0 } }, "producer.maxBatchRecords must be a number >= 1"],
      [{ ...base, producer: { maxBatchBytes: 0 } }, "producer.maxBatchBytes must be a number >= 1"],
      [{ ...base, producer: { maxPendingRecords: 0 } }, "producer.maxPendingRecords must be a number >= 1"],
      [{ ...base, topics: { compactionSegmentMs: 0 } }, "topics.compactionSegmentMs must be a number >= 1"],
      [{ ...base, consumer: { sessionTimeoutMs: 0 } }, "consumer.sessionTimeoutMs must be a number >= 1"],
      [
        { ...base, consumer: { heartbeatIntervalMs: 0 } },
        "consumer.heartbeatIntervalMs must be a number >= 1",
      ],
      [{ ...base, consumer: { commitIntervalMs: -1 } }, "consumer.commitIntervalMs must be a number >= 0"],
      [{ ...base, maxMessageBytes: Number.POSITIVE_INFINITY }, "maxMessageBytes must be a number >= 1"],
    ];
    for (const [config, message] of cases) expect(rejection(config).message).toContain(message);
  });

  it("allows zero where zero means 'no wait'", () => {
    const c = resolveKafkaConfig({
      ...base,
      sendRetryTimeMs: 0,
      producer: { lingerMs: 0 },
      consumer: { commitIntervalMs: 0 },
    });
    expect([c.sendRetryTimeMs, c.lingerMs, c.commitIntervalMs]).toEqual([0, 0, 0]);
  });
});
