// The Kafka transport's configuration: typed, validated once at construction, with every
// default stated beside its field. Credentials live here and nowhere else — never in logs or
// error messages.
import { ErrorCode, KytosEventsError, type Logger, silentLogger } from "@kytos-events/core";

export interface KafkaTlsConfig {
  /** PEM CA bundle(s) to trust. Default: Node's trust store. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** PEM client certificate and key, for mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Default true; false only for throwaway test clusters. */
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface KafkaSaslConfig {
  readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
  readonly username: string;
  readonly password: string;
}

export interface KafkaTransportConfig {
  /** Bootstrap brokers, `host:port` (array or comma-separated string). Required. */
  readonly brokers: readonly string[] | string;
  /** Default "kytos-events". */
  readonly clientId?: string;
  /** TLS on the connection: true for defaults, or options. Default off. */
  readonly tls?: boolean | KafkaTlsConfig;
  readonly sasl?: KafkaSaslConfig;
  /** TCP connect timeout, ms. Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** Broker request timeout, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /**
   * How long one `send` keeps retrying a broker that does not answer before it fails as
   * retriable (so the producer's outage buffer takes over), ms. Default 10 000.
   */
  readonly sendRetryTimeMs?: number;
  readonly producer?: {
    /**
     * How long the first record of a batch waits for others before the batch goes out, ms.
     * Default 0: one produce request is in flight at a time and everything sent meanwhile
     * forms the next one, so batches grow with load by themselves; in the README's
     * measurements a linger only added its own latency and lowered throughput.
     */
    readonly lingerMs?: number;
    /** Records per produce request. Default 1000. */
    readonly maxBatchRecords?: number;
    /**
     * Bytes per produce request (values, keys, headers and framing, estimated from above).
     * Keep it under the broker's `message.max.bytes` (default 1 048 588): one partition's
     * share of a request is one record batch. Default 1 000 000. A single larger record
     * (up to maxMessageBytes) still goes, alone.
     */
    readonly maxBatchBytes?: number;
    /** Records waiting for a batch before `send` callers wait for room. Default 20 000. */
    readonly maxPendingRecords?: number;
    /** "none" (default) or "gzip" (built into kafkajs). */
    readonly compression?: "none" | "gzip";
  };
  readonly topics?: {
    /** Partitions of a created topic whose DestinationSpec gives none. Default 1. */
    readonly defaultPartitions?: number;
    /** Replication factor for created topics; -1 = the broker's default. Default -1. */
    readonly replicationFactor?: number;
    /** For compacted topics: `min.cleanable.dirty.ratio`. Default "0.1". */
    readonly compactionDirtyRatio?: string;
    /** For compacted topics: `segment.ms`, so the head segment rolls and compacts. Default 600 000 (10 min). */
    readonly compactionSegmentMs?: number;
  };
  readonly consumer?: {
    /** Group session timeout, ms. Default 30 000. */
    readonly sessionTimeoutMs?: number;
    /** Heartbeat interval, ms. Default 3000. */
    readonly heartbeatIntervalMs?: number;
    /**
     * Least time between two offset commits, ms. One commit is in flight at a time and
     * covers every settlement made meanwhile; an `ack()` resolves when its commit is done.
     * Default 0: an idle consumer's ack takes one round trip, a busy one's acks share
     * commits (README: 2000 concurrent acks, 1 commit). Raise it to spare the broker when
     * handlers await each ack one by one.
     */
    readonly commitIntervalMs?: number;
    /** Longest a fetch waits on the broker for new records, ms (idle-poll cost vs latency). Default 250. */
    readonly fetchMaxWaitMs?: number;
  };
  /** Largest value accepted, bytes; must not exceed the broker's `message.max.bytes`. Default 1 000 000. */
  readonly maxMessageBytes?: number;
  /** Default: silent. */
  readonly logger?: Logger;
}

export interface ResolvedKafkaConfig {
  readonly brokers: string[];
  readonly clientId: string;
  readonly tls: boolean | KafkaTlsConfig;
  readonly sasl: KafkaSaslConfig | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly sendRetryTimeMs: number;
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly maxPendingRecords: number;
  readonly compression: "none" | "gzip";
  readonly defaultPartitions: number;
  readonly replicationFactor: number;
  readonly compactionDirtyRatio: string;
  readonly compactionSegmentMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly commitIntervalMs: number;
  readonly fetchMaxWaitMs: number;
  readonly maxMessageBytes: number;
  readonly logger: Logger;
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

function invalid(message: string): KytosEventsError {
  return new KytosEventsError(ErrorCode.ConfigInvalid, `kafka transport: ${message}`);
}

function positive(value: number, name: string, min = 1): number {
  if (!Number.isFinite(value) || value < min)
    throw invalid(`${name} must be a number >= ${min}, got ${value}.`);
  return value;
}

function nonEmpty(value: string, name: string): string {
  if (typeof value !== "string" || value.trim() === "") throw invalid(`${name} must be a non-empty string.`);
  return value;
}

function integer(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw invalid(`${name} must be an integer >= 1, got ${value}.`);
  return value;
}

function ratio(value: string, name: string): string {
  const n = Number(value);
  if (typeof value !== "string" || !(n > 0 && n <= 1))
    throw invalid(`${name} must be a decimal string in (0, 1], e.g. "0.1", got "${value}".`);
  return value;
}

export function resolveKafkaConfig(config: KafkaTransportConfig): ResolvedKafkaConfig {
  if (!config || config.brokers === undefined)
    throw invalid('`brokers` is required (e.g. ["localhost:9092"]).');
  const brokers = (typeof config.brokers === "string" ? config.brokers.split(",") : [...config.brokers])
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw invalid("`brokers` is empty: give at least one host:port.");
  for (const b of brokers) {
    if (!BROKER.test(b)) throw invalid(`broker "${b}" is not host:port (e.g. "kafka-1.example.net:9092").`);
  }
  if (config.sasl) {
    const { mechanism, username, password } = config.sasl;
    if (!["plain", "scram-sha-256", "scram-sha-512"].includes(mechanism)) {
      throw invalid(`sasl.mechanism must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}".`);
    }
    if (typeof username !== "string" || username === "" || typeof password !== "string") {
      throw invalid("sasl needs a non-empty username and a password string.");
    }
  }
  const p = config.producer ?? {};
  const t = config.topics ?? {};
  const c = config.consumer ?? {};
  const compression = p.compression ?? "none";
  if (compression !== "none" && compression !== "gzip") {
    throw invalid(`producer.compression must be "none" or "gzip", got "${compression}".`);
  }
  const replicationFactor = t.replicationFactor ?? -1;
  if (!Number.isInteger(replicationFactor) || (replicationFactor < 1 && replicationFactor !== -1)) {
    throw invalid(`topics.replicationFactor must be -1 (broker default) or >= 1, got ${replicationFactor}.`);
  }
  return {
    brokers,
    clientId: nonEmpty(config.clientId ?? "kytos-events", "clientId"),
    tls: config.tls ?? false,
    sasl: config.sasl,
    connectionTimeoutMs: positive(config.connectionTimeoutMs ?? 3000, "connectionTimeoutMs"),
    requestTimeoutMs: positive(config.requestTimeoutMs ?? 30_000, "requestTimeoutMs"),
    sendRetryTimeMs: positive(config.sendRetryTimeMs ?? 10_000, "sendRetryTimeMs", 0),
    lingerMs: positive(p.lingerMs ?? 0, "producer.lingerMs", 0),
    maxBatchRecords: positive(p.maxBatchRecords ?? 1000, "producer.maxBatchRecords"),
    maxBatchBytes: positive(p.maxBatchBytes ?? 1_000_000, "producer.maxBatchBytes"),
    maxPendingRecords: positive(p.maxPendingRecords ?? 20_000, "producer.maxPendingRecords"),
    compression,
    defaultPartitions: integer(t.defaultPartitions ?? 1, "topics.defaultPartitions"),
    replicationFactor,
    compactionDirtyRatio: ratio(t.compactionDirtyRatio ?? "0.1", "topics.compactionDirtyRatio"),
    compactionSegmentMs: positive(t.compactionSegmentMs ?? 600_000, "topics.compactionSegmentMs"),
    sessionTimeoutMs: positive(c.sessionTimeoutMs ?? 30_000, "consumer.sessionTimeoutMs"),
    heartbeatIntervalMs: positive(c.heartbeatIntervalMs ?? 3000, "consumer.heartbeatIntervalMs"),
    commitIntervalMs: positive(c.commitIntervalMs ?? 0, "consumer.commitIntervalMs", 0),
    fetchMaxWaitMs: positive(c.fetchMaxWaitMs ?? 250, "consumer.fetchMaxWaitMs", 0),
    maxMessageBytes: positive(config.maxMessageBytes ?? 1_000_000, "maxMessageBytes"),
    logger: config.logger ?? silentLogger,
  };
}
