// The core Transport on RabbitMQ (AMQP 0-9-1) through amqplib. The broker fans out: each
// event is published once to a durable topic exchange with a routing key made from its event
// name, and queue bindings (one queue per NApp destination and group, the verbose queue bound
// to "#") decide who gets a copy. Sends resolve on publisher confirms; subscriptions ack only
// settled messages; compacted destinations also keep the last value of every key.
import {
  type DestinationSpec,
  ErrorCode,
  Header,
  KytosEventsError,
  type OutboundRecord,
  SendError,
  type SendFailure,
  type SendOptions,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from "@kytos-events/core";
import type { ChannelModel } from "amqplib";
import { AmqpSubscription } from "./amqp-subscription.js";
import { type AmqpTransportConfig, type ResolvedAmqpConfig, resolveAmqpConfig } from "./config.js";
import { AmqpConnection } from "./connection.js";
import { type LastValue, LastValues, readLastValues } from "./last-value.js";
import { isRetriableConnectFailure } from "./map-error.js";
import { type Publication, Publisher } from "./publisher.js";
import { bindingOf, fitsRoutingKey, routingKeyOf } from "./routing-keys.js";
import { declare, declareExchanges, directExchangeOf } from "./topology.js";

const MAX_IN_FLIGHT = 65_535; // AMQP prefetch-count is a 16-bit field

export class AmqpTransport implements Transport {
  readonly kind = "amqp";
  readonly capabilities: TransportCapabilities;
  private readonly config: ResolvedAmqpConfig;
  private readonly connection: AmqpConnection;
  private readonly publisher: Publisher;
  private readonly lastValueStore: LastValues;
  private readonly specs = new Map<string, DestinationSpec>();
  private readonly subscriptions = new Set<AmqpSubscription>();
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(config: AmqpTransportConfig = {}) {
    this.config = resolveAmqpConfig(config);
    this.capabilities = {
      partitions: false,
      // Compacted destinations keep each key's last value in a last-value queue: a new group
      // subscribing fromBeginning starts from those (then every record), and lastValues()
      // reads them at any time.
      compaction: true,
      maxMessageBytes: this.config.maxMessageBytes,
      fanout: "broker",
    };
    this.connection = new AmqpConnection(this.config);
    this.publisher = new Publisher(this.connection, this.config.maxUnconfirmed);
    this.lastValueStore = new LastValues(this.config, this.publisher);
    this.connection.onReconnect((model) => this.redeclare(model));
  }

  /** The broker's URL with the password masked. */
  get url(): string {
    return this.config.endpoint.safeUrl;
  }

  /** What JSON.stringify shows (loggers serialise objects): the kind and the masked URL. */
  toJSON(): { kind: string; url: string; exchange: string } {
    return { kind: this.kind, url: this.url, exchange: this.config.exchange };
  }

  /** What console.log and util.inspect show: the same as toJSON, not the TLS key or the login. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `AmqpTransport ${JSON.stringify(this.toJSON())}`;
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

  /**
   * Checks and records the destinations' routing (queues belong to groups, so they are
   * declared by subscribe); for compacted destinations, declares the last-value topology.
   */
  async ensureDestinations(specs: readonly DestinationSpec[]): Promise<void> {
    for (const spec of specs) validateSpec(spec);
    await this.connect();
    const model = await this.connection.get();
    for (const spec of specs) {
      if (spec.compacted) await this.lastValueStore.declareDestination(model, spec);
      this.specs.set(spec.name, spec);
    }
  }

  async send(batch: readonly OutboundRecord[], options: SendOptions = {}): Promise<void> {
    const failures: SendFailure[] = [];
    const items: Publication[] = [];
    const indexOf: number[] = [];
    const fail = (index: number, error: KytosEventsError, retriable: boolean) =>
      failures.push({ index, error, retriable });
    const lastValueKeys: { index: number; destination: string; key: string }[] = [];
    for (let index = 0; index < batch.length; index++) {
      const record = batch[index]!;
      const type = record.headers[Header.EventType];
      if (this.closed) {
        fail(index, new KytosEventsError(ErrorCode.Closed, "the AMQP transport is closed."), false);
      } else if (!this.specs.has(record.destination)) {
        fail(
          index,
          new KytosEventsError(
            ErrorCode.SendRejected,
            `destination "${record.destination}" was never ensured on this transport: call ensureDestinations() with its spec (event prefixes) first.`,
          ),
          false,
        );
      } else if (record.value.byteLength > this.config.maxMessageBytes) {
        fail(
          index,
          new KytosEventsError(
            ErrorCode.MessageTooLarge,
            `a ${record.value.byteLength}-byte value for "${record.destination}" exceeds maxMessageBytes (${this.config.maxMessageBytes}).`,
          ),
          false,
        );
      } else {
        const item = this.publication(record, type);
        if (!fitsRoutingKey(item.routingKey)) {
          fail(
            index,
            new KytosEventsError(
              ErrorCode.SendRejected,
              `routing key "${item.routingKey.slice(0, 60)}…" is longer than AMQP's 255 bytes: shorten the event or destination name.`,
            ),
            false,
          );
          continue;
        }
        items.push(item);
        indexOf.push(index);
        if (type !== undefined && record.key !== "") {
          for (const destination of this.lastValueStore.destinationsFor(type)) {
            lastValueKeys.push({ index, destination, key: record.key });
          }
        }
      }
    }
    const refused = await this.ensureLastValueQueues(lastValueKeys);
    for (const [index, { error, retriable }] of refused) fail(index, error, retriable);
    // Nothing is published behind a record that can be resent: it would overtake it.
    let cut = Number.POSITIVE_INFINITY;
    for (const [index, { retriable }] of refused) if (retriable) cut = Math.min(cut, index);
    const publishable: Publication[] = [];
    const publishedIndex: number[] = [];
    items.forEach((item, i) => {
      const index = indexOf[i]!;
      if (refused.has(index)) return;
      if (index > cut) {
        fail(index, notSentBehind(batch[cut]!), true);
        return;
      }
      publishable.push(item);
      publishedIndex.push(index);
    });
    if (publishable.length > 0) {
      const outcomes = await this.publisher.publish(publishable, options.signal);
      outcomes.forEach((o, i) => {
        if (o.error) fail(publishedIndex[i]!, o.error, o.retriable);
      });
    }
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new SendError(failures, batch.length);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (!options.group) throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs a group name.");
    const maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `maxInFlight must be an integer in 1..${MAX_IN_FLIGHT} (AMQP prefetch), got ${maxInFlight}.`,
      );
    }
    if (options.destinations.length === 0) {
      throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs at least one destination.");
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
    await this.connect();
    const subscription = new AmqpSubscription(this.connection, this.config, {
      group: options.group,
      specs,
      maxInFlight,
      deadLetterDestination: options.deadLetterDestination,
      fromBeginning: options.fromBeginning ?? false,
      publish: (items) => this.publisher.publish(items),
      lastValues: (destination) => this.lastValues(destination),
      metrics: options.metrics,
    });
    try {
      await subscription.start();
    } catch (err) {
      await subscription.close();
      throw err;
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * The last value of every key of a compacted destination, read without consuming it: what a
   * consumer that starts late needs to know the current state of every link, switch or
   * interface. Each key's value is the latest the broker confirmed.
   */
  async lastValues(destination: string): Promise<LastValue[]> {
    const spec = this.specs.get(destination);
    if (!spec?.compacted) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `destination "${destination}" is not a compacted destination of this transport: call ensureDestinations() with { compacted: true } first.`,
      );
    }
    await this.connect();
    return readLastValues(await this.connection.get(), this.publisher, destination);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await this.publisher.close();
    await this.connection.close();
  }

  private async redeclare(model: ChannelModel): Promise<void> {
    await declare(model, (ch) => declareExchanges(ch, this.config));
    this.lastValueStore.reset();
    for (const spec of this.specs.values()) {
      if (spec.compacted) await this.lastValueStore.declareDestination(model, spec);
    }
  }

  /** Declares missing last-value queues; returns the records that cannot be sent, by index. */
  private async ensureLastValueQueues(
    keys: readonly { index: number; destination: string; key: string }[],
  ): Promise<Map<number, { error: KytosEventsError; retriable: boolean }>> {
    const refused = new Map<number, { error: KytosEventsError; retriable: boolean }>();
    if (keys.length === 0) return refused;
    let model: ChannelModel;
    try {
      model = await this.connection.get();
    } catch (err) {
      const retriable = isRetriableConnectFailure(err);
      for (const k of keys) refused.set(k.index, { error: err as KytosEventsError, retriable });
      return refused;
    }
    await Promise.all(
      keys.map((k) =>
        this.lastValueStore.ensureKey(model, k.destination, k.key).catch((err: unknown) => {
          const conflict = err instanceof KytosEventsError && err.code === ErrorCode.TopologyConflict;
          const error =
            err instanceof KytosEventsError
              ? err
              : new KytosEventsError(
                  ErrorCode.TransportUnavailable,
                  `declaring the last-value queue of key "${k.key}" in "${k.destination}" failed: ${(err as Error).message}`,
                  { cause: err },
                );
          refused.set(k.index, { error, retriable: !conflict });
        }),
      ),
    );
    return refused;
  }

  // Records with an event type go through the topic exchange (the broker's bindings fan them
  // out); records without one, or for a destination without event prefixes (a dead-letter
  // destination), are addressed to their destination by name on the direct exchange.
  private publication(record: OutboundRecord, type: string | undefined): Publication {
    const spec = this.specs.get(record.destination);
    const byEvent = type !== undefined && (spec?.eventPrefixes?.length ?? 0) > 0;
    const contentType = record.headers[Header.ContentType];
    return {
      exchange: byEvent ? this.config.exchange : directExchangeOf(this.config.exchange),
      routingKey: byEvent ? routingKeyOf(type) : record.destination,
      content: Buffer.isBuffer(record.value)
        ? record.value
        : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
      options: {
        ...(contentType !== undefined ? { contentType } : {}),
        // AMQP timestamps are POSIX seconds.
        timestamp: Math.floor((record.timestamp ?? Date.now()) / 1000),
        headers: { ...record.headers, [Header.Key]: record.key },
      },
    };
  }
}

function notSentBehind(record: OutboundRecord): KytosEventsError {
  return new KytosEventsError(
    ErrorCode.TransportUnavailable,
    `not sent: an earlier record of the batch (key "${record.key}") could not be sent yet, and this one must not overtake it.`,
  );
}

function validateSpec(spec: DestinationSpec): void {
  if (!spec.name || Buffer.byteLength(spec.name) > 200 || spec.name.startsWith("amq.")) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `destination name "${spec.name}" must be 1-200 bytes and not start with "amq." (it names AMQP queues).`,
    );
  }
  for (const prefix of spec.eventPrefixes ?? []) {
    if (!fitsRoutingKey(bindingOf(prefix))) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `event prefix "${prefix.slice(0, 60)}…" of "${spec.name}" makes a binding longer than AMQP's 255 bytes.`,
      );
    }
  }
}

export function createAmqpTransport(config: AmqpTransportConfig = {}): AmqpTransport {
  return new AmqpTransport(config);
}
