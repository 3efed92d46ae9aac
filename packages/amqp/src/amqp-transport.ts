// The core Transport on RabbitMQ (AMQP 0-9-1) through amqplib. The broker fans out: each
// event is published once to a durable topic exchange with its event name as routing key, and
// queue bindings (one queue per NApp destination, one verbose queue bound to "#") decide who
// gets a copy. Sends resolve on publisher confirms; subscriptions ack only settled messages.
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
import { AmqpSubscription } from "./amqp-subscription.js";
import { type AmqpTransportConfig, type ResolvedAmqpConfig, resolveAmqpConfig } from "./config.js";
import { AmqpConnection } from "./connection.js";
import { type Publication, Publisher } from "./publisher.js";
import { routingKeyOf } from "./routing-keys.js";
import { declare, declareExchanges, directExchangeOf } from "./topology.js";

export class AmqpTransport implements Transport {
  readonly kind = "amqp";
  readonly capabilities: TransportCapabilities;
  readonly config: ResolvedAmqpConfig;
  private readonly connection: AmqpConnection;
  private readonly publisher: Publisher;
  private readonly specs = new Map<string, DestinationSpec>();
  private readonly subscriptions = new Set<AmqpSubscription>();
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(config: AmqpTransportConfig = {}) {
    this.config = resolveAmqpConfig(config);
    this.capabilities = {
      partitions: false,
      compaction: false,
      maxMessageBytes: this.config.maxMessageBytes,
      fanout: "broker",
    };
    this.connection = new AmqpConnection(this.config);
    this.publisher = new Publisher(this.connection, this.config.maxUnconfirmed);
    this.connection.onReconnect(async (model) => {
      await declare(model, (ch) => declareExchanges(ch, this.config));
    });
  }

  connect(): Promise<void> {
    this.connected ??= (async () => {
      if (this.closed)
        throw new KytosEventsError(ErrorCode.Closed, "the AMQP transport is closed: create a new one.");
      const model = await this.connection.get();
      await declare(model, (ch) => declareExchanges(ch, this.config));
    })().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /** Records the destinations' routing; queues are declared per subscription (a queue belongs to a group). */
  async ensureDestinations(specs: readonly DestinationSpec[]): Promise<void> {
    await this.connect();
    for (const spec of specs) this.specs.set(spec.name, spec);
  }

  async send(batch: readonly OutboundRecord[]): Promise<void> {
    const failures: SendFailure[] = [];
    const items: Publication[] = [];
    const indexOf: number[] = [];
    batch.forEach((record, index) => {
      if (this.closed) {
        failures.push({
          index,
          retriable: false,
          error: new KytosEventsError(ErrorCode.Closed, "the AMQP transport is closed."),
        });
      } else if (record.value.byteLength > this.config.maxMessageBytes) {
        failures.push({
          index,
          retriable: false,
          error: new KytosEventsError(
            ErrorCode.MessageTooLarge,
            `a ${record.value.byteLength}-byte value for "${record.destination}" exceeds maxMessageBytes (${this.config.maxMessageBytes}).`,
          ),
        });
      } else {
        items.push(this.publication(record));
        indexOf.push(index);
      }
    });
    if (items.length > 0) {
      const outcomes = await this.publisher.publish(items);
      outcomes.forEach((o, i) => {
        if (o.error) failures.push({ index: indexOf[i]!, retriable: o.retriable, error: o.error });
      });
    }
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new SendError(failures, batch.length);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.connect();
    if (!options.group) throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs a group name.");
    const maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 65_535) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `maxInFlight must be an integer in 1..65535 (AMQP prefetch), got ${maxInFlight}.`,
      );
    }
    const specs = options.destinations.map((name) => {
      const spec = this.specs.get(name);
      if (!spec) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `destination "${name}" is unknown to this transport: call ensureDestinations() with its spec (event prefixes) before subscribing.`,
        );
      }
      return spec;
    });
    const subscription = new AmqpSubscription(this.connection, this.config, {
      group: options.group,
      specs,
      maxInFlight,
      deadLetterDestination: options.deadLetterDestination,
      publish: (items) => this.publisher.publish(items),
    });
    await subscription.start();
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await this.publisher.close();
    await this.connection.close();
  }

  // Records with an event type go through the topic exchange (bindings fan them out); others
  // are addressed to their destination by name on the direct exchange.
  private publication(record: OutboundRecord): Publication {
    const type = record.headers[Header.EventType];
    const spec = this.specs.get(record.destination);
    const byEvent = type !== undefined && (spec === undefined || (spec.eventPrefixes?.length ?? 0) > 0);
    return {
      exchange: byEvent ? this.config.exchange : directExchangeOf(this.config.exchange),
      routingKey: byEvent ? routingKeyOf(type) : record.destination,
      content: Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
      options: {
        ...(record.headers[Header.ContentType] ? { contentType: record.headers[Header.ContentType] } : {}),
        timestamp: record.timestamp ?? Date.now(),
        headers: { ...record.headers, [Header.Key]: record.key },
      },
    };
  }
}

export function createAmqpTransport(config: AmqpTransportConfig = {}): AmqpTransport {
  return new AmqpTransport(config);
}
