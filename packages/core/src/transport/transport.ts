// The contract every transport (memory, Kafka, RabbitMQ, …) implements. Producers and consumers
// are written against this interface only; nothing here names a broker. The contract test kit
// (`@kytos-events/core/testkit`) checks each promise stated in these comments.
import type { Metrics } from "../metrics/metrics.js";

/**
 * A record to send. `destination` is a logical name produced by core's router (a per-NApp
 * stream or the verbose stream); each transport maps it onto its own objects.
 */
export interface OutboundRecord {
  readonly destination: string;
  /** Drives partitioning: records with the same destination and key are delivered in send order. */
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch; the transport's clock when absent. */
  readonly timestamp?: number;
}

export interface SendOptions {
  /** Aborting rejects the send; records already accepted by the broker stay accepted. */
  readonly signal?: AbortSignal;
}

/** One record of a batch the broker did not durably accept. */
export interface SendFailure {
  /** Index of the record in the batch passed to `send`. */
  readonly index: number;
  readonly error: Error;
  /** True when sending the same record again may succeed (broker away, timeout, throttled). */
  readonly retriable: boolean;
}

/** What a destination needs before records flow; transports create what is missing. */
export interface DestinationSpec {
  readonly name: string;
  /** Unit of parallelism and ordering; transports without partitions ignore it. Default 1. */
  readonly partitions?: number;
  /** Keep only the latest record per key (link/switch/interface status streams). */
  readonly compacted?: boolean;
  /** How long history is kept; the broker's default when absent. */
  readonly retentionMs?: number;
  /**
   * The event-name prefixes this destination carries ("" = every event). Used by transports
   * whose broker fans out (capabilities.fanout === "broker"): the producer sends each event
   * once and the broker's bindings put it in every destination whose prefix matches.
   */
  readonly eventPrefixes?: readonly string[];
}

export interface SubscribeOptions {
  /** Consumer group / durable subscription: members of one group share the records. */
  readonly group: string;
  readonly destinations: readonly string[];
  /** Where a group with no stored position starts: the retained history (true) or new records (false, default). */
  readonly fromBeginning?: boolean;
  /** Most delivered-but-unsettled records at once; delivery pauses at the limit. Default 256. */
  readonly maxInFlight?: number;
  /** Where `deadLetter` puts records. Default: `<destination>.dlq`. */
  readonly deadLetterDestination?: string;
  /** Where the subscription reports consumer lag (`MetricName.ConsumerLag`), if the transport measures it. Default: nowhere. */
  readonly metrics?: Metrics;
}

/** Opaque position of an inbound record; only the offset tracker looks inside. */
export interface Position {
  /** The ordering unit the position belongs to: a partition, a queue, a channel. */
  readonly lane: string;
  /** Strictly increasing within a lane, in delivery order. */
  readonly offset: number;
}

export interface RetryOptions {
  /** Earliest redelivery, in milliseconds from now. Default 0. */
  readonly delayMs?: number;
  readonly reason?: string;
}

/**
 * A delivered record with its settlement handle. Exactly one settlement counts; later calls
 * return the first call's promise. Each settlement resolves once it is durable on the broker.
 * A record never settled is redelivered to the group after this subscriber closes or crashes.
 */
export interface InboundRecord {
  readonly destination: string;
  readonly key: string | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch, as stored by the broker. */
  readonly timestamp: number;
  readonly position: Position;
  /** 1 on first delivery; higher after `retry` or a redelivery the broker reports. */
  readonly attempt: number;
  /** Handled: the position may move past this record once every earlier one is settled. */
  ack(): Promise<void>;
  /** Not handled now: deliver again to this group after `delayMs`; the position stays behind it. */
  retry(options?: RetryOptions): Promise<void>;
  /** Give up: copy to the dead-letter destination with the reason in headers, then settle. */
  deadLetter(reason: string): Promise<void>;
}

/** What closing a subscription left behind: those records will be redelivered to the group. */
export interface CloseReport {
  readonly unsettled: number;
}

/**
 * A live subscription. Iterate it once; iteration ends after `close()`. Delivery pauses while
 * `maxInFlight` records are unsettled, which is how a slow handler pushes back on the broker.
 */
export interface Subscription extends AsyncIterable<InboundRecord> {
  close(): Promise<CloseReport>;
  /**
   * Offered by transports that know where a destination's log ends (Kafka): resolves once
   * every record this subscriber's partitions held when called was delivered and settled.
   * Rejects with KE_CLOSED if the subscription closes first.
   */
  caughtUp?(): Promise<void>;
}

/** Static facts about a transport, for callers and for the contract kit's transport-specific checks. */
export interface TransportCapabilities {
  /** Records of one key may spread over several lanes (partitions) of one destination. */
  readonly partitions: boolean;
  /** `DestinationSpec.compacted` is honoured by the broker. */
  readonly compaction: boolean;
  /** Largest value the transport accepts, in bytes. */
  readonly maxMessageBytes: number;
  /**
   * Who copies an event into every destination that carries it. "client": the producer sends
   * one record per destination. "broker": the producer sends one record (to the event's
   * NApp destination, `ke-event-type` header set) and the broker routes it by
   * `DestinationSpec.eventPrefixes`.
   */
  readonly fanout: "client" | "broker";
}

export interface Transport {
  /** Short lowercase name for logs and metrics: "memory", "kafka", "amqp". */
  readonly kind: string;
  readonly capabilities: TransportCapabilities;
  /** Resolves when the broker answers; rejects with a KytosEventsError naming what is wrong (URL, credentials, reachability). */
  connect(): Promise<void>;
  /** Creates missing destinations; rejects with KE_TOPOLOGY_CONFLICT when one exists with other settings. */
  ensureDestinations(specs: readonly DestinationSpec[]): Promise<void>;
  /**
   * Resolves only when the broker has durably accepted every record. Otherwise rejects with a
   * SendError that lists which records were not accepted. Waits (never buffers without bound)
   * while the transport's in-flight limit is reached.
   */
  send(batch: readonly OutboundRecord[], options?: SendOptions): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Waits for sends in flight, closes subscriptions (unsettled records go back to the group), disconnects. */
  close(): Promise<void>;
}
