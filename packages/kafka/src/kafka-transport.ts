// The core Transport on Apache Kafka through kafkajs. Producer side: acks=all, idempotent
// producer, batching that coalesces concurrent sends, per-record verdicts. Consumer side:
// consumer groups with watermark commits (kafka-subscription.ts). kafkajs stays behind this
// file and its neighbours, so another Kafka client could replace it without touching callers.
import {
  type DestinationSpec,
  ErrorCode,
  Header,
  KytosEventsError,
  noopMetrics,
  type OutboundRecord,
  SendError,
  type SendFailure,
  type SendOptions,
  type SubscribeOptions,
  type Transport,
  type TransportCapabilities,
} from "@kytos-events/core";
import {
  type Admin,
  CompressionTypes,
  type IHeaders,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
} from "kafkajs";
import { type KafkaTransportConfig, type ResolvedKafkaConfig, resolveKafkaConfig } from "./config.js";
import { isolateRefusals, isPartialRefusal } from "./isolate-refusals.js";
import { createKafkaClient, retryOptions } from "./kafka-client.js";
import type { KafkaRecord } from "./kafka-record.js";
import { KafkaSubscription } from "./kafka-subscription.js";
import { mapKafkaError } from "./map-error.js";
import { partitionRanges } from "./partition-offsets.js";
import { keyAndHeaderBytes, SendBatcher } from "./send-batcher.js";
import { TopicAdmin } from "./topic-admin.js";

export interface KafkaSubscribeOptions extends SubscribeOptions {
  /**
   * Subscribe to every existing topic whose name matches, instead of `destinations` (e.g.
   * /^kytos\.(topology|mef_eline)$/). Matched once, when subscribing: topics created later
   * join only when the subscription is opened again. Anchor it, or `.dlq` topics match too.
   */
  readonly topicPattern?: RegExp;
}

/** Keys plus headers a record may carry on top of its value (see README: broker limits). */
export const MAX_KEY_AND_HEADER_BYTES = 32 * 1024;

type Verdict = { error: KytosEventsError; retriable: boolean };

export class KafkaTransport implements Transport {
  readonly kind = "kafka";
  readonly capabilities: TransportCapabilities;
  readonly config: ResolvedKafkaConfig;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly topics: TopicAdmin;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly batcher: SendBatcher;
  private readonly compression: CompressionTypes;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private connected: Promise<void> | undefined;
  private closed = false;

  /**
   * What JSON.stringify shows (loggers serialise objects): the kind, the brokers, the client id
   * and whether TLS/SASL are on — never the SASL password or the TLS key held in `config`.
   */
  toJSON(): { kind: string; brokers: string[]; clientId: string; tls: boolean; sasl: string | undefined } {
    const c = this.config;
    return {
      kind: this.kind,
      brokers: c.brokers,
      clientId: c.clientId,
      tls: c.tls !== false,
      sasl: c.sasl?.mechanism,
    };
  }

  /** What console.log and util.inspect show: the same as toJSON, not the config's secrets. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `KafkaTransport ${JSON.stringify(this.toJSON())}`;
  }

  constructor(config: KafkaTransportConfig) {
    this.config = resolveKafkaConfig(config);
    const c = this.config;
    this.capabilities = {
      partitions: true,
      compaction: true,
      maxMessageBytes: c.maxMessageBytes,
      fanout: "client",
    };
    this.kafka = createKafkaClient(c);
    this.admin = this.kafka.admin({ retry: retryOptions(c) });
    this.topics = new TopicAdmin(this.admin, c);
    this.batcher = new SendBatcher(c, (records) => this.produce(records));
    this.compression = c.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  connect(): Promise<void> {
    this.connected ??= (async () => {
      this.assertOpen();
      try {
        await this.admin.connect();
        await this.admin.describeCluster();
      } catch (err) {
        this.connected = undefined;
        await this.admin.disconnect().catch(() => {});
        throw mapKafkaError(err, "connect", this.config.brokers).error;
      }
    })();
    return this.connected;
  }

  async ensureDestinations(specs: readonly DestinationSpec[]): Promise<void> {
    await this.connect();
    try {
      await this.topics.ensure(specs);
    } catch (err) {
      throw mapKafkaError(err, "ensureDestinations", this.config.brokers).error;
    }
  }

  async send(batch: readonly OutboundRecord[], options: SendOptions = {}): Promise<void> {
    if (batch.length === 0) return;
    const all = this.verdictForAll(await this.unavailable());
    const missing = all ? new Set<string>() : await this.topics.missing(batch.map((r) => r.destination));
    const failures: SendFailure[] = [];
    const valid: number[] = [];
    // Each record's size is measured once, for the checks and for the batcher's byte budget.
    const sizes: number[] = [];
    for (let index = 0; index < batch.length; index++) {
      const record = batch[index]!;
      const overhead = all ? 0 : keyAndHeaderBytes(record);
      const verdict = all ?? this.check(record, missing, overhead);
      if (verdict) failures.push({ index, ...verdict });
      else {
        valid.push(index);
        sizes.push(record.value.byteLength + overhead);
      }
    }
    if (valid.length > 0) {
      const records = valid.length === batch.length ? batch : valid.map((i) => batch[i]!);
      const outcomes = await this.batcher.enqueue(records, options.signal, sizes);
      outcomes.forEach((outcome, i) => {
        const index = valid[i]!;
        if (outcome.withdrawn || outcome.inFlight) {
          const fate = outcome.withdrawn ? "it was not sent" : "the broker may still accept it";
          const error = new KytosEventsError(ErrorCode.Closed, `send aborted by its signal: ${fate}.`, {
            cause: outcome.error,
          });
          failures.push({ index, retriable: true, error });
        } else if (outcome.error !== undefined) {
          const destination = batch[index]!.destination;
          const mapped = mapKafkaError(outcome.error, `send to "${destination}"`, this.config.brokers);
          failures.push({ index, retriable: mapped.retriable, error: mapped.error });
        }
      });
    }
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new SendError(failures, batch.length);
    }
  }

  async subscribe(options: KafkaSubscribeOptions): Promise<KafkaSubscription> {
    const { group } = options;
    if (!group) throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs a group name.");
    const maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `maxInFlight must be a positive integer, got ${maxInFlight}.`,
      );
    }
    await this.connect();
    const topics = await this.subscribedTopics(options);
    const c = this.config;
    const fromBeginning = options.fromBeginning ?? false;
    const consumer = this.kafka.consumer({
      groupId: group,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: c.fetchMaxWaitMs,
      retry: retryOptions(c),
    });
    const subscription = new KafkaSubscription(consumer, c, {
      group,
      topics,
      fromBeginning,
      maxInFlight,
      deadLetter: (record, reason) => this.deadLetter(record, reason, options.deadLetterDestination),
      ranges: () => partitionRanges(this.admin, group, topics, fromBeginning),
      onClosed: () => this.subscriptions.delete(subscription),
      metrics: options.metrics ?? noopMetrics,
    });
    try {
      await subscription.start();
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw mapKafkaError(err, `subscribe group "${group}" to ${topics.join(",")}`, c.brokers).error;
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher.drain();
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await this.producer?.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }

  /** The topics a subscription reads; each must exist, so a typo fails here with its name. */
  private async subscribedTopics(options: KafkaSubscribeOptions): Promise<string[]> {
    try {
      if (options.topicPattern) {
        const pattern = options.topicPattern;
        const matched = (await this.topics.list()).filter((t) => pattern.test(t) && !t.startsWith("__"));
        if (matched.length === 0) {
          throw new KytosEventsError(
            ErrorCode.ConfigInvalid,
            `no topic matches ${pattern}: create the destinations first (ensureDestinations).`,
          );
        }
        return matched.sort();
      }
      if (options.destinations.length === 0) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          "subscribe needs destinations or a topicPattern.",
        );
      }
      const missing = await this.topics.missing(options.destinations, { strict: true });
      if (missing.size > 0) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `cannot subscribe group "${options.group}": topic(s) ${[...missing].map((t) => `"${t}"`).join(", ")} ` +
            "do not exist. Create them with ensureDestinations() first.",
        );
      }
      return [...new Set(options.destinations)];
    } catch (err) {
      throw mapKafkaError(err, `subscribe group "${options.group}"`, this.config.brokers).error;
    }
  }

  private async deadLetter(record: KafkaRecord, reason: string, destination: string | undefined) {
    const topic = destination ?? `${record.destination}.dlq`;
    if ((await this.topics.missing([topic], { strict: true })).size > 0) {
      await this.ensureDestinations([{ name: topic, partitions: 1 }]);
    }
    await this.send([
      {
        destination: topic,
        key: record.key ?? "",
        value: record.value,
        headers: {
          ...record.headers,
          [Header.DeadLetterReason]: reason,
          [Header.DeadLetterOrigin]: `${record.destination}/${record.partition}@${record.position.offset}`,
          [Header.DeadLetterAt]: new Date().toISOString(),
          [Header.Attempt]: String(record.attempt),
        },
      },
    ]);
  }

  /** Undefined when the broker answers; otherwise why every record of this send fails. */
  private async unavailable(): Promise<unknown> {
    if (this.closed) return new KytosEventsError(ErrorCode.Closed, "the Kafka transport is closed.");
    try {
      await this.connect();
      return undefined;
    } catch (err) {
      return err;
    }
  }

  private verdictForAll(err: unknown): Verdict | undefined {
    if (err === undefined) return undefined;
    if (err instanceof KytosEventsError && err.code === ErrorCode.Closed)
      return { error: err, retriable: false };
    return mapKafkaError(err, "send", this.config.brokers);
  }

  /** `overhead`: keyAndHeaderBytes(record). */
  private check(record: OutboundRecord, missing: ReadonlySet<string>, overhead: number): Verdict | undefined {
    const { maxMessageBytes } = this.config;
    if (record.value.byteLength > maxMessageBytes) {
      return this.tooLarge(
        `a ${record.value.byteLength}-byte value for "${record.destination}" exceeds maxMessageBytes (${maxMessageBytes}).`,
      );
    }
    if (overhead > MAX_KEY_AND_HEADER_BYTES) {
      return this.tooLarge(
        `the key and headers of a record for "${record.destination}" take ${overhead} bytes; the limit is ${MAX_KEY_AND_HEADER_BYTES}.`,
      );
    }
    if (missing.has(record.destination)) {
      const error = new KytosEventsError(
        ErrorCode.SendRejected,
        `topic "${record.destination}" does not exist: call ensureDestinations() first ` +
          "(or, on a cluster with ACLs, this user may not DESCRIBE it: check the topic's ACLs).",
      );
      return { error, retriable: false };
    }
    return undefined;
  }

  private tooLarge(message: string): Verdict {
    return { error: new KytosEventsError(ErrorCode.MessageTooLarge, message), retriable: false };
  }

  /** One batch to the broker; per-record errors when Kafka refused only some records. */
  private async produce(records: readonly OutboundRecord[]): Promise<readonly unknown[] | undefined> {
    try {
      await this.sendBatch(records);
      return undefined;
    } catch (err) {
      if (records.length > 1 && isPartialRefusal(err)) {
        return isolateRefusals(records, (part) => this.sendBatch(part));
      }
      throw err;
    }
  }

  private async sendBatch(records: readonly OutboundRecord[]): Promise<void> {
    const producer = await this.getProducer();
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.destination);
      if (!messages) {
        messages = [];
        byTopic.set(r.destination, messages);
      }
      const message: Message = {
        key: r.key,
        // kafkajs wants a Buffer: a caller's Buffer as it is, else a view of the same bytes (no copy).
        value: Buffer.isBuffer(r.value)
          ? r.value
          : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
        // kafkajs only reads headers; no copy needed.
        headers: r.headers as IHeaders,
      };
      if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
      messages.push(message);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      // After a failed request kafkajs rolls its sequence numbers back, but the broker may have
      // written part of it. A later, differently composed batch would reuse those numbers and
      // the broker could drop it as a duplicate: a new producer id rules that out (the price is
      // a possible duplicate of what was written, which at-least-once allows).
      await this.resetProducer();
      throw err;
    }
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        // Named explicitly: murmur2 like the Java client, so every producer agrees on a key's
        // partition (and kafkajs does not warn about its v2 default change).
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: retryOptions(this.config),
      });
      try {
        await producer.connect();
      } catch (err) {
        this.producerReady = undefined;
        await producer.disconnect().catch(() => {});
        throw err;
      }
      this.producer = producer;
      return producer;
    })();
    return this.producerReady;
  }

  private async resetProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    this.producerReady = undefined;
    await old?.disconnect().catch(() => {});
  }

  private assertOpen(): void {
    if (this.closed)
      throw new KytosEventsError(ErrorCode.Closed, "the Kafka transport is closed: create a new one.");
  }
}

export function createKafkaTransport(config: KafkaTransportConfig): KafkaTransport {
  return new KafkaTransport(config);
}
