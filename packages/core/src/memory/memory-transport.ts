// The embedded default transport: everything a real broker promises, in process, with no
// server to run. It powers `pnpm demo`, unit tests of producers and consumers, and embedding
// in a single process; it passes the same contract kit as the Kafka and RabbitMQ transports.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { SendError } from "../transport/send-error.js";
import type {
  DestinationSpec,
  OutboundRecord,
  SendFailure,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportCapabilities,
} from "../transport/transport.js";
import { MemoryBroker, type MemoryBrokerOptions } from "./memory-broker.js";
import { MemorySubscription } from "./memory-subscription.js";
import { partitionForKey } from "./partition-for-key.js";

export interface MemoryTransportOptions extends MemoryBrokerOptions {
  /** Share one in-process broker between transports (producer side and consumer side). Default: a private one. */
  readonly broker?: MemoryBroker;
}

const DEFAULT_MAX_IN_FLIGHT = 256;

export class MemoryTransport implements Transport {
  readonly kind = "memory";
  readonly capabilities: TransportCapabilities;
  readonly broker: MemoryBroker;
  private readonly subscriptions = new Set<MemorySubscription>();
  private closed = false;

  constructor(options: MemoryTransportOptions = {}) {
    this.broker = options.broker ?? new MemoryBroker(options);
    this.capabilities = {
      partitions: true,
      compaction: true,
      maxMessageBytes: this.broker.maxMessageBytes,
      fanout: "client",
    };
  }

  async connect(): Promise<void> {
    this.assertOpen();
  }

  async ensureDestinations(specs: readonly DestinationSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of specs) this.broker.ensureTopic(spec);
  }

  async send(batch: readonly OutboundRecord[]): Promise<void> {
    const failures: SendFailure[] = [];
    batch.forEach((record, index) => {
      const error = this.reject(record);
      if (error) {
        failures.push(error(index));
        return;
      }
      const topic = this.broker.topic(record.destination)!;
      this.broker.append(record.destination, partitionForKey(record.key, topic.partitions.length), {
        key: record.key,
        value: record.value.slice(),
        headers: { ...record.headers },
        timestamp: record.timestamp ?? Date.now(),
      });
    });
    if (failures.length > 0) throw new SendError(failures, batch.length);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!options.group) throw new KytosEventsError(ErrorCode.ConfigInvalid, "subscribe needs a group name.");
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `maxInFlight must be a positive integer, got ${maxInFlight}.`,
      );
    }
    for (const name of options.destinations) {
      if (!this.broker.topic(name)) {
        throw new KytosEventsError(
          ErrorCode.ConfigInvalid,
          `destination "${name}" does not exist: call ensureDestinations() before subscribing.`,
        );
      }
    }
    const subscription = new MemorySubscription(
      this.broker,
      {
        group: options.group,
        destinations: options.destinations,
        fromBeginning: options.fromBeginning ?? false,
        maxInFlight,
        deadLetterDestination: options.deadLetterDestination,
      },
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  private reject(record: OutboundRecord): ((index: number) => SendFailure) | undefined {
    const fail = (code: ErrorCode, message: string, retriable: boolean) => (index: number) => ({
      index,
      retriable,
      error: new KytosEventsError(code, message),
    });
    if (this.closed) return fail(ErrorCode.Closed, "the memory transport is closed.", false);
    if (!this.broker.isAvailable) {
      return fail(
        ErrorCode.TransportUnavailable,
        "the memory broker is unavailable (simulated outage).",
        true,
      );
    }
    if (!this.broker.topic(record.destination)) {
      return fail(
        ErrorCode.SendRejected,
        `destination "${record.destination}" does not exist: call ensureDestinations() first.`,
        false,
      );
    }
    if (record.value.byteLength > this.broker.maxMessageBytes) {
      return fail(
        ErrorCode.MessageTooLarge,
        `a ${record.value.byteLength}-byte value for "${record.destination}" exceeds the ${this.broker.maxMessageBytes}-byte limit.`,
        false,
      );
    }
    return undefined;
  }

  private assertOpen(): void {
    if (this.closed)
      throw new KytosEventsError(ErrorCode.Closed, "the memory transport is closed: create a new one.");
  }
}

/** A memory transport; pass `{ broker }` to share one in-process broker between transports. */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  return new MemoryTransport(options);
}

/** An in-process broker to share between memory transports. */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  return new MemoryBroker(options);
}
