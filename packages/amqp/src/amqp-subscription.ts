// A subscription on RabbitMQ: one durable queue per (group, destination), consumed on one
// channel with prefetch, so the broker stops delivering while maxInFlight messages are
// unsettled. A message is acked only when settled; retry goes through a delay queue and
// dead-letter through the dead-letter queue, each copy confirmed before the original is
// acked. Whatever is unacked when the channel or connection goes away is requeued by the
// broker and redelivered (flagged), so nothing is lost; after a reconnect, or a channel the
// broker closed, the subscription declares its queues again and resumes consuming. With a
// metrics sink, each queue's consumer lag is measured on a timer (queue-lag.ts).
import {
  BackoffPolicy,
  type CloseReport,
  type DestinationSpec,
  ErrorCode,
  Header,
  type InboundRecord,
  KytosEventsError,
  type Metrics,
  noopMetrics,
  type Subscription,
  sleep,
} from "@kytos-events/core";
import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import { AmqpRecord, type Settlement } from "./amqp-record.js";
import type { ResolvedAmqpConfig } from "./config.js";
import type { AmqpConnection } from "./connection.js";
import type { LastValue } from "./last-value.js";
import { isNotFound } from "./map-error.js";
import type { Publication, PublishOutcome } from "./publisher.js";
import { QueueLag } from "./queue-lag.js";
import { type CopySource, deadLetterCopy, retryCopy } from "./settlement-copies.js";
import { SnapshotRecord, type SnapshotSettlement } from "./snapshot-record.js";
import { declare, declareDelayQueue, declareSubscriptionQueue, directExchangeOf } from "./topology.js";

export interface AmqpSubscriptionOptions {
  readonly group: string;
  readonly specs: readonly DestinationSpec[];
  readonly maxInFlight: number;
  readonly deadLetterDestination: string | undefined;
  /** A new group starts a compacted destination from its last values. */
  readonly fromBeginning: boolean;
  readonly publish: (items: readonly Publication[]) => Promise<PublishOutcome[]>;
  readonly lastValues: (destination: string) => Promise<LastValue[]>;
  /** Where consumer lag goes; none measured without one. */
  readonly metrics: Metrics | undefined;
}

interface BoundQueue {
  readonly queue: string;
  readonly spec: DestinationSpec;
  readonly deadLetterQueue: string;
}

/** Longest retry delay: a delay queue's TTL and expiry must fit AMQP's 32-bit fields. */
const MAX_DELAY_MS = 2 ** 31;
export class AmqpSubscription implements Subscription {
  private readonly queues: readonly BoundQueue[];
  private channel: Channel | undefined;
  private channelModel: ChannelModel | undefined;
  private channelSerial = 0;
  private readonly delivered = new Set<AmqpRecord>();
  private pending: InboundRecord[] = [];
  private snapshotOffset = 0;
  private pendingHead = 0;
  private waiter: (() => void) | undefined;
  private setupChain: Promise<void> = Promise.resolve();
  private repairing = false;
  private closing = false;
  private closed: Promise<CloseReport> | undefined;
  private readonly stopListening: () => void;
  private readonly lag: QueueLag | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly config: ResolvedAmqpConfig,
    private readonly options: AmqpSubscriptionOptions,
  ) {
    this.queues = options.specs.map((spec) => ({
      queue: config.queueName.replaceAll("{group}", options.group).replaceAll("{destination}", spec.name),
      spec,
      deadLetterQueue: options.deadLetterDestination ?? `${spec.name}.dlq`,
    }));
    this.stopListening = connection.onReconnect((model) =>
      // Right after a broker restart a queue may not be ready yet: keep trying in the background.
      this.setUp(model).catch((err: unknown) => {
        config.logger.warn("amqp: resuming the subscription failed; retrying", {
          error: (err as Error).message,
        });
        void this.repair();
      }),
    );
    const metrics = options.metrics;
    if (metrics && metrics !== noopMetrics && config.consumerLagIntervalMs > 0) {
      this.lag = new QueueLag({
        metrics,
        intervalMs: config.consumerLagIntervalMs,
        queues: this.queues.map((q) => ({ queue: q.queue, destination: q.spec.name })),
        model: async () => (connection.isOpen ? connection.get() : undefined),
        unsettled: (queue) => this.unsettledFrom(queue),
        logger: config.logger,
      });
    }
  }

  /**
   * Declares the queues and starts consuming; rejects (TopologyConflict, …) if that fails. A
   * group subscribing `fromBeginning` to a compacted destination it has no queue for yet gets
   * the destination's last values first, read after its queue is bound (so nothing published
   * from then on is missed) and before consuming starts.
   */
  async start(): Promise<void> {
    const model = await this.connection.get();
    const fresh = this.options.fromBeginning ? await this.queuesWithoutHistory(model) : [];
    await this.setUp(model, fresh.length > 0 ? () => this.loadSnapshot(fresh) : undefined);
    this.lag?.start();
  }

  [Symbol.asyncIterator](): AsyncIterator<InboundRecord> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  close(): Promise<CloseReport> {
    this.closed ??= (async () => {
      this.closing = true;
      this.stopListening();
      this.lag?.stop();
      const unsettled = this.delivered.size;
      this.delivered.clear();
      this.pending = [];
      this.pendingHead = 0;
      // Closing the channel hands every unacked message back to its queue.
      const channel = this.channel;
      this.channel = undefined;
      await channel?.close().catch(() => {});
      this.wake();
      return { unsettled };
    })();
    return this.closed;
  }

  /** Serialised: a reconnect and a channel repair never both open a consumer channel. */
  private setUp(model: ChannelModel, beforeConsuming?: () => Promise<void>): Promise<void> {
    const run = this.setupChain.then(() => this.consumeOn(model, beforeConsuming));
    this.setupChain = run.catch(() => {});
    return run;
  }

  private async consumeOn(model: ChannelModel, beforeConsuming?: () => Promise<void>): Promise<void> {
    if (this.closing || (this.channel && this.channelModel === model)) return;
    // Messages delivered on a lost channel were requeued by the broker: forget them (snapshot
    // records are not the broker's to redeliver: keep those).
    this.delivered.clear();
    this.pending = this.pending.slice(this.pendingHead).filter((r) => r instanceof SnapshotRecord);
    this.pendingHead = 0;
    for (const q of this.queues) {
      await declareSubscriptionQueue(model, this.config, q.queue, q.spec, q.deadLetterQueue);
    }
    await beforeConsuming?.();
    const channel = await model.createChannel();
    const serial = ++this.channelSerial;
    let failed = false;
    channel.on("error", (err: Error) => {
      failed = true;
      this.config.logger.warn("amqp: consumer channel closed by the broker", { error: err.message });
    });
    channel.on("close", () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      // A connection loss is the connection's to recover; a channel the broker closed is ours.
      if (failed && !this.closing) void this.repair();
    });
    this.channel = channel;
    this.channelModel = model;
    try {
      // Per-consumer prefetch (quorum queues support no channel-wide limit): the subscription's
      // budget is split across its queues.
      await channel.prefetch(Math.max(1, Math.floor(this.options.maxInFlight / this.queues.length)), false);
      for (const q of this.queues) {
        await channel.consume(q.queue, (msg) => this.onMessage(msg, q, channel, serial), { noAck: false });
      }
    } catch (err) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => {});
      throw err;
    }
  }

  private async queuesWithoutHistory(model: ChannelModel): Promise<BoundQueue[]> {
    const fresh: BoundQueue[] = [];
    for (const q of this.queues) {
      if (!q.spec.compacted) continue;
      const exists = await declare(model, (ch) => ch.checkQueue(q.queue)).then(
        () => true,
        (err: unknown) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
      if (!exists) fresh.push(q);
    }
    return fresh;
  }

  private async loadSnapshot(queues: readonly BoundQueue[]): Promise<void> {
    for (const q of queues) {
      for (const value of await this.options.lastValues(q.spec.name)) this.pushSnapshot(value, q.queue, 1);
    }
    this.wake();
  }

  private pushSnapshot(value: LastValue, queue: string, attempt: number): void {
    const position = { lane: `${queue}#snapshot`, offset: ++this.snapshotOffset };
    this.pending.push(new SnapshotRecord(this.snapshotSettlement, value, queue, position, attempt));
  }

  private readonly snapshotSettlement: SnapshotSettlement = {
    retry: async (record, delayMs) => {
      // In memory: the value also stays in its last-value queue.
      setTimeout(
        () => {
          if (this.closing) return;
          this.pushSnapshot(record.lastValue, record.queue, record.attempt + 1);
          this.wake();
        },
        Math.max(0, delayMs),
      ).unref();
    },
    deadLetter: async (record, reason) => {
      const [outcome] = await this.options.publish([
        this.copyFor(
          {
            queue: record.queue,
            destination: record.destination,
            content: Buffer.from(record.value),
            headers: record.headers,
            contentType: record.headers[Header.ContentType],
            timestamp: Math.floor(record.timestamp / 1000),
            attempt: record.attempt,
          },
          { kind: "dead-letter", reason },
        ),
      ]);
      if (outcome?.error) throw outcome.error;
    },
  };

  private async repair(): Promise<void> {
    if (this.repairing) return;
    this.repairing = true;
    const policy = new BackoffPolicy(this.config.reconnect);
    try {
      for (let attempt = 1; !this.closing && !this.channel; attempt++) {
        await sleep(policy.nextDelay(attempt) ?? this.config.reconnect.maxDelayMs ?? 5000);
        // With the connection gone, its reconnect listener sets us up again.
        if (this.closing || this.channel || !this.connection.isOpen) return;
        await this.setUp(await this.connection.get()).catch((err: unknown) =>
          this.config.logger.warn("amqp: reopening the consumer channel failed", {
            error: (err as Error).message,
          }),
        );
      }
    } finally {
      this.repairing = false;
    }
  }

  private onMessage(msg: ConsumeMessage | null, q: BoundQueue, channel: Channel, serial: number): void {
    if (!msg) {
      // The broker cancelled the consumer (queue deleted): reopen, which declares it again.
      this.config.logger.warn("amqp: the broker cancelled the consumer", { queue: q.queue });
      if (this.channel === channel) {
        this.channel = undefined;
        void channel.close().catch(() => {});
        void this.repair();
      }
      return;
    }
    const record = new AmqpRecord(
      (r, how) => this.settle(r, how),
      msg,
      q.queue,
      q.spec.name,
      // Delivery tags restart on every channel, so the channel is part of the lane.
      { lane: `${q.queue}#${serial}`, offset: msg.fields.deliveryTag },
      serial,
    );
    this.delivered.add(record);
    this.lag?.delivered(q.queue);
    this.pending.push(record);
    this.wake();
  }

  private async next(): Promise<IteratorResult<InboundRecord>> {
    for (;;) {
      if (this.closing) return { done: true, value: undefined };
      if (this.pendingHead < this.pending.length) {
        const record = this.pending[this.pendingHead++]!;
        if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
          this.pending = this.pending.slice(this.pendingHead);
          this.pendingHead = 0;
        }
        return { done: false, value: record };
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private async settle(record: AmqpRecord, how: Settlement): Promise<void> {
    this.assertSettleable(record);
    if (how.kind !== "ack") {
      const props = record.message.properties;
      const source: CopySource = {
        queue: record.queue,
        destination: record.destination,
        content: record.message.content,
        headers: record.headers,
        contentType: props.contentType as string | undefined,
        timestamp: props.timestamp as number | undefined,
        attempt: record.attempt,
      };
      const copy =
        how.kind === "retry" && how.delayMs > 0
          ? retryCopy(source, await this.delayQueue(source.queue, how.delayMs))
          : this.copyFor(source, how);
      const [outcome] = await this.options.publish([copy]);
      if (outcome?.error) throw outcome.error;
      this.assertSettleable(record);
    }
    this.delivered.delete(record);
    this.channel!.ack(record.message);
    this.lag?.settled(record.queue);
  }

  private assertSettleable(record: AmqpRecord): void {
    if (
      !this.closing &&
      this.channel &&
      this.channelSerial === record.channelSerial &&
      this.delivered.has(record)
    ) {
      return;
    }
    throw new KytosEventsError(
      ErrorCode.Closed,
      `cannot settle delivery ${record.position.offset} of queue "${record.queue}": the channel it came on is ` +
        "closed, so the broker has requeued it and will deliver it again.",
    );
  }

  /** A dead-letter copy, or a retry copy straight back to the group's queue. */
  private copyFor(source: CopySource, how: Exclude<Settlement, { kind: "ack" }>): Publication {
    if (how.kind === "retry") return retryCopy(source, source.queue);
    const q = this.queues.find((b) => b.queue === source.queue)!;
    return deadLetterCopy(source, directExchangeOf(this.config.exchange), q.deadLetterQueue, how.reason);
  }

  private async delayQueue(queue: string, delayMs: number): Promise<string> {
    if (delayMs > MAX_DELAY_MS) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `retry delay ${delayMs} ms exceeds the longest RabbitMQ delay (${MAX_DELAY_MS} ms).`,
      );
    }
    return declareDelayQueue(await this.connection.get(), queue, delayMs);
  }

  private unsettledFrom(queue: string): number {
    let n = 0;
    for (const record of this.delivered) if (record.queue === queue) n++;
    return n;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
