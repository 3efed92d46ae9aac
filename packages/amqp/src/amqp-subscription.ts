// A subscription on RabbitMQ: one channel, one durable queue per (group, destination), with
// prefetch = maxInFlight so the broker stops delivering while that many messages are
// unsettled. A message is acked only when settled; retry goes through a delay queue and
// dead-letter through the dead-letter queue, each copy confirmed before the original is
// acked. Whatever is unacked when the channel or connection goes away is requeued by the
// broker and redelivered (flagged), so nothing is lost; after a reconnect the subscription
// rebuilds its queues and consumers.
import {
  type CloseReport,
  type DestinationSpec,
  ErrorCode,
  Header,
  type InboundRecord,
  KytosEventsError,
  type Subscription,
} from "@kytos-events/core";
import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import { AmqpRecord, type Settlement } from "./amqp-record.js";
import type { ResolvedAmqpConfig } from "./config.js";
import type { AmqpConnection } from "./connection.js";
import type { Publication, PublishOutcome } from "./publisher.js";
import { declareDelayQueue, declareSubscriptionQueue, directExchangeOf, dlqOf } from "./topology.js";

export interface AmqpSubscriptionOptions {
  readonly group: string;
  readonly specs: readonly DestinationSpec[];
  readonly maxInFlight: number;
  readonly deadLetterDestination: string | undefined;
  readonly publish: (items: readonly Publication[]) => Promise<PublishOutcome[]>;
}

const decoder = new TextDecoder();

function headerStrings(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : Buffer.isBuffer(v) ? decoder.decode(v) : String(v);
  }
  return out;
}

export class AmqpSubscription implements Subscription {
  private channel: Channel | undefined;
  private readonly queues: { queue: string; spec: DestinationSpec; dlq: string }[];
  private readonly delivered = new Set<AmqpRecord>();
  private readonly pending: AmqpRecord[] = [];
  private waiter: (() => void) | undefined;
  private readonly delayQueues = new Map<string, string>();
  private closing = false;
  private closed: Promise<CloseReport> | undefined;
  private readonly stopListening: () => void;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly config: ResolvedAmqpConfig,
    private readonly options: AmqpSubscriptionOptions,
  ) {
    this.queues = options.specs.map((spec) => ({
      queue: config.queueName.replace("{group}", options.group).replace("{destination}", spec.name),
      spec,
      dlq: dlqOf(spec.name, options.deadLetterDestination),
    }));
    this.stopListening = connection.onReconnect((model) => this.setUp(model));
  }

  async start(): Promise<void> {
    await this.setUp(await this.connection.get());
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
      const unsettled = this.delivered.size;
      this.delivered.clear();
      this.pending.length = 0;
      // Closing the channel hands every unacked message back to its queue.
      await this.channel?.close().catch(() => {});
      this.channel = undefined;
      this.wake();
      return { unsettled };
    })();
    return this.closed;
  }

  private async setUp(model: ChannelModel): Promise<void> {
    if (this.closing) return;
    // Messages delivered on a lost channel were requeued by the broker: forget them.
    for (const r of this.delivered) this.delivered.delete(r);
    this.pending.length = 0;
    for (const q of this.queues) await declareSubscriptionQueue(model, this.config, q.queue, q.spec, q.dlq);
    const channel = await model.createChannel();
    channel.on("error", (err: Error) =>
      this.config.logger.warn("amqp: consumer channel error", { error: err.message }),
    );
    await channel.prefetch(this.options.maxInFlight, false);
    const generation = this.connection.generation;
    for (const q of this.queues) {
      await channel.consume(q.queue, (msg) => msg && this.onMessage(msg, q.queue, q.spec.name, generation), {
        noAck: false,
      });
    }
    this.channel = channel;
  }

  private onMessage(msg: ConsumeMessage, queue: string, destination: string, generation: number): void {
    const headers = headerStrings(msg.properties.headers as Record<string, unknown> | undefined);
    const deliveryCount = Number(headers["x-delivery-count"] ?? 0);
    const attempt = Math.max(
      Number(headers[Header.Attempt] ?? 1),
      deliveryCount + 1,
      msg.fields.redelivered ? 2 : 1,
    );
    const record = new AmqpRecord(
      (r, how) => this.settle(r, how),
      msg,
      queue,
      destination,
      headers[Header.Key],
      headers,
      typeof msg.properties.timestamp === "number" ? msg.properties.timestamp : Date.now(),
      { lane: queue, offset: msg.fields.deliveryTag },
      attempt,
      generation,
    );
    this.delivered.add(record);
    this.pending.push(record);
    this.wake();
  }

  private async next(): Promise<IteratorResult<InboundRecord>> {
    for (;;) {
      if (this.closing) return { done: true, value: undefined };
      const record = this.pending.shift();
      if (record) return { done: false, value: record };
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private async settle(record: AmqpRecord, how: Settlement): Promise<void> {
    const channel = this.channel;
    if (
      this.closing ||
      !channel ||
      !this.delivered.has(record) ||
      record.generation !== this.connection.generation
    ) {
      throw new KytosEventsError(
        ErrorCode.Closed,
        `cannot settle delivery ${record.position.offset} of "${record.queue}": its channel is gone; ` +
          "the broker requeued the message and will deliver it again.",
      );
    }
    if (how.kind !== "ack") {
      const [outcome] = await this.options.publish([await this.copyFor(record, how)]);
      if (outcome?.error) throw outcome.error;
    }
    this.delivered.delete(record);
    channel.ack(record.message);
  }

  private async copyFor(record: AmqpRecord, how: Exclude<Settlement, { kind: "ack" }>): Promise<Publication> {
    const props = record.message.properties;
    const base = {
      contentType: props.contentType,
      timestamp: props.timestamp,
    };
    if (how.kind === "dead-letter") {
      const dlq = this.queues.find((q) => q.queue === record.queue)!.dlq;
      return {
        exchange: directExchangeOf(this.config.exchange),
        routingKey: dlq,
        content: record.message.content,
        options: {
          ...base,
          headers: {
            ...record.headers,
            [Header.DeadLetterReason]: how.reason,
            [Header.DeadLetterOrigin]: `${record.destination} (queue ${record.queue})`,
            [Header.DeadLetterAt]: new Date().toISOString(),
            [Header.Attempt]: String(record.attempt),
          },
        },
      };
    }
    const headers = { ...record.headers, [Header.Attempt]: String(record.attempt + 1) };
    if (how.delayMs <= 0)
      return {
        exchange: "",
        routingKey: record.queue,
        content: record.message.content,
        options: { ...base, headers },
      };
    let delay = this.delayQueues.get(record.queue);
    if (!delay) {
      delay = await declareDelayQueue(await this.connection.get(), record.queue);
      this.delayQueues.set(record.queue, delay);
    }
    return {
      exchange: "",
      routingKey: delay,
      content: record.message.content,
      options: { ...base, headers, expiration: String(Math.ceil(how.delayMs)) },
    };
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
