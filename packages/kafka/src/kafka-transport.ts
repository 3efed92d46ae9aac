// The core Transport on Apache Kafka through kafkajs. Producer side: acks=all, idempotent
// producer, batching that coalesces concurrent sends, per-record verdicts. Consumer side:
// consumer groups with watermark commits (kafka-subscription.ts). kafkajs stays behind this
// file and its neighbours, so another Kafka client could replace it without touching callers.
import {
  type DestinationSpec,
  ErrorCode,
  Header,
  KytosEventsError,
  type OutboundRecord,
  SendError,
  type SendFailure,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from "@kytos-events/core";
import { type Admin, CompressionTypes, Kafka, type Producer, type SASLOptions } from "kafkajs";
import { type KafkaTransportConfig, type ResolvedKafkaConfig, resolveKafkaConfig } from "./config.js";
import type { KafkaRecord } from "./kafka-record.js";
import { KafkaSubscription } from "./kafka-subscription.js";
import { kafkaLogCreator } from "./log-creator.js";
import { mapKafkaError, rootType } from "./map-error.js";
import { SendBatcher } from "./send-batcher.js";
import { TopicAdmin } from "./topic-admin.js";

export interface KafkaSubscribeOptions extends SubscribeOptions {
  /** Subscribe to every topic matching this pattern instead of `destinations` (e.g. /^kytos\./). */
  readonly topicPattern?: RegExp;
}

// Errors after which the idempotent producer's sequence state is unusable: start a new one.
const PRODUCER_RESET_TYPES = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
]);

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
  private readonly subscriptions = new Set<KafkaSubscription>();
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(config: KafkaTransportConfig) {
    this.config = resolveKafkaConfig(config);
    const c = this.config;
    this.capabilities = {
      partitions: true,
      compaction: true,
      maxMessageBytes: c.maxMessageBytes,
      fanout: "client",
    };
    this.kafka = new Kafka({
      clientId: c.clientId,
      brokers: c.brokers,
      ...(c.tls ? { ssl: c.tls === true ? true : { ...c.tls, ca: c.tls.ca as string[] | undefined } } : {}),
      ...(c.sasl ? { sasl: { ...c.sasl } as SASLOptions } : {}),
      connectionTimeout: c.connectionTimeoutMs,
      requestTimeout: c.requestTimeoutMs,
      logCreator: kafkaLogCreator(c.logger),
      retry: this.retryOptions(),
    });
    this.admin = this.kafka.admin();
    this.topics = new TopicAdmin(this.admin, c);
    this.batcher = new SendBatcher(c, (records) => this.produce(records));
  }

  connect(): Promise<void> {
    this.connected ??= (async () => {
      this.assertOpen();
      try {
        await this.admin.connect();
        await this.admin.describeCluster();
      } catch (err) {
        this.connected = undefined;
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

  async send(batch: readonly OutboundRecord[]): Promise<void> {
    const failures: SendFailure[] = [];
    const valid: { index: number; record: OutboundRecord }[] = [];
    for (let index = 0; index < batch.length; index++) {
      const record = batch[index]!;
      const problem = await this.check(record);
      if (problem) failures.push({ index, retriable: false, error: problem });
      else valid.push({ index, record });
    }
    if (valid.length > 0) {
      const outcomes = await this.batcher.enqueue(valid.map((v) => v.record));
      outcomes.forEach((outcome, i) => {
        if (outcome.error === undefined) return;
        const mapped = mapKafkaError(
          outcome.error,
          `send to "${valid[i]!.record.destination}"`,
          this.config.brokers,
        );
        failures.push({ index: valid[i]!.index, retriable: mapped.retriable, error: mapped.error });
      });
    }
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new SendError(failures, batch.length);
    }
  }

  async subscribe(options: KafkaSubscribeOptions): Promise<Subscription> {
    await this.connect();
    if (!options.group) throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs a group name.");
    const maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `maxInFlight must be a positive integer, got ${maxInFlight}.`,
      );
    }
    const c = this.config;
    const consumer = this.kafka.consumer({
      groupId: options.group,
      sessionTimeout: c.sessionTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      retry: this.retryOptions(),
    });
    const subscription = new KafkaSubscription(consumer, c, {
      group: options.group,
      topics: options.topicPattern ?? options.destinations,
      fromBeginning: options.fromBeginning ?? false,
      maxInFlight,
      deadLetter: (record, reason) => this.deadLetter(record, reason, options.deadLetterDestination),
    });
    try {
      await subscription.start();
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw mapKafkaError(err, `subscribe group "${options.group}"`, c.brokers).error;
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

  private async deadLetter(
    record: KafkaRecord,
    reason: string,
    destination: string | undefined,
  ): Promise<void> {
    const topic = destination ?? `${record.destination}.dlq`;
    if (!(await this.topics.exists(topic))) await this.ensureDestinations([{ name: topic, partitions: 1 }]);
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

  private async check(record: OutboundRecord): Promise<KytosEventsError | undefined> {
    if (this.closed) return new KytosEventsError(ErrorCode.Closed, "the Kafka transport is closed.");
    if (record.value.byteLength > this.config.maxMessageBytes) {
      return new KytosEventsError(
        ErrorCode.MessageTooLarge,
        `a ${record.value.byteLength}-byte value for "${record.destination}" exceeds maxMessageBytes (${this.config.maxMessageBytes}).`,
      );
    }
    try {
      await this.connect();
      if (!(await this.topics.exists(record.destination))) {
        return new KytosEventsError(
          ErrorCode.SendRejected,
          `topic "${record.destination}" does not exist: call ensureDestinations() first.`,
        );
      }
    } catch {
      // Broker unreachable: let the send itself fail as retriable.
    }
    return undefined;
  }

  private async produce(records: readonly OutboundRecord[]): Promise<void> {
    const producer = await this.getProducer();
    const byTopic = new Map<
      string,
      { key: string; value: Buffer; headers: Record<string, string>; timestamp?: string }[]
    >();
    for (const r of records) {
      let messages = byTopic.get(r.destination);
      if (!messages) {
        messages = [];
        byTopic.set(r.destination, messages);
      }
      messages.push({
        key: r.key,
        value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
        headers: { ...r.headers },
        ...(r.timestamp !== undefined ? { timestamp: String(r.timestamp) } : {}),
      });
    }
    try {
      await producer.sendBatch({
        acks: -1,
        compression: this.config.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      if (PRODUCER_RESET_TYPES.has(rootType(err) ?? "")) await this.resetProducer();
      throw err;
    }
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: this.retryOptions(),
      });
      try {
        await producer.connect();
      } catch (err) {
        this.producerReady = undefined;
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

  // Bounded retries so a dead broker turns into a retriable failure in about sendRetryTimeMs
  // (the producer's outage buffer then holds events) instead of a send that never returns.
  private retryOptions() {
    const initialRetryTime = 100;
    const maxRetryTime = Math.max(initialRetryTime, Math.min(2000, this.config.sendRetryTimeMs / 4));
    let retries = 0;
    for (let spent = 0, d = initialRetryTime; spent < this.config.sendRetryTimeMs; retries++) {
      spent += d;
      d = Math.min(maxRetryTime, d * 2);
    }
    return { initialRetryTime, maxRetryTime, retries: Math.max(1, retries) };
  }

  private assertOpen(): void {
    if (this.closed)
      throw new KytosEventsError(ErrorCode.Closed, "the Kafka transport is closed: create a new one.");
  }
}

export function createKafkaTransport(config: KafkaTransportConfig): KafkaTransport {
  return new KafkaTransport(config);
}
