// A lane: one transport with its own pipeline (filter + routing), outage buffer, optional disk
// spool and counters. `offer` is the publish-side half (never waits, never throws); the Pump
// is the sending half. Order is kept across the buffer and the spool: once anything is on disk,
// newer events go to disk too until the spool has been replayed.
import {
  type DropReason,
  type MetricLabels,
  MetricName,
  type Metrics,
  OutageBuffer,
  type Pipeline,
  type Transport,
} from "@kytos-events/core";
import type { ResolvedLane } from "./config.js";
import type { LaneItem, PublishedEvent } from "./published-event.js";
import type { LaneDelivery } from "./receipt.js";
import type { Spool, SpoolStats } from "./spool/spool.js";

export type LaneDropReason = "overflow-oldest" | "overflow-newest" | "spool-full" | "closed";

export interface LaneStats {
  readonly name: string;
  /** The transport's kind: "memory", "kafka", "amqp". */
  readonly transport: string;
  /** Events the lane took (buffered, spooled or sent). */
  readonly accepted: number;
  readonly filtered: number;
  readonly delivered: number;
  /** Refused by the broker for good (too large, no such destination, …). */
  readonly failed: number;
  /** Send attempts that failed retriably and were tried again. */
  readonly retries: number;
  readonly dropped: Readonly<Record<LaneDropReason, number>>;
  /** Events waiting in memory, and in the send under way. */
  readonly buffered: number;
  readonly inFlight: number;
  readonly spool?: SpoolStats;
  /** True once the current transport is connected and its destinations exist. */
  readonly ready: boolean;
  /** The last connect or send error, while the lane has not recovered from it. */
  readonly lastError?: string;
}

export class Lane {
  readonly name: string;
  readonly labels: MetricLabels;
  transport: Transport;
  ownsTransport: boolean;
  pipeline: Pipeline;
  buffer: OutageBuffer<LaneItem>;
  /** Memory items taken by the pump and not yet settled; they count against the buffer's room. */
  inFlight = 0;
  inFlightBytes = 0;
  ready = false;
  lastError: string | undefined;
  readonly counts = { accepted: 0, filtered: 0, delivered: 0, failed: 0, retries: 0 };
  readonly dropped: Record<LaneDropReason, number> = {
    "overflow-oldest": 0,
    "overflow-newest": 0,
    "spool-full": 0,
    closed: 0,
  };
  readonly deliveredEntry: LaneDelivery;
  readonly filteredEntry: LaneDelivery;
  readonly spooledEntry: LaneDelivery;
  private readonly dropEntries = new Map<string, LaneDelivery>();
  private readonly dropLabels = new Map<string, MetricLabels>();
  private wakeUp: (() => void) | undefined;

  constructor(
    resolved: ResolvedLane,
    readonly spool: Spool | undefined,
    private readonly metrics: Metrics,
  ) {
    this.name = resolved.config.name;
    this.labels = { lane: this.name };
    this.transport = resolved.config.transport;
    this.ownsTransport = resolved.config.ownsTransport ?? true;
    this.pipeline = resolved.pipeline;
    this.buffer = this.newBuffer(resolved);
    this.deliveredEntry = Object.freeze({ lane: this.name, status: "delivered" });
    this.filteredEntry = Object.freeze({ lane: this.name, status: "filtered" });
    this.spooledEntry = Object.freeze({ lane: this.name, status: "spooled" });
  }

  /** The pipeline that takes this event name, or undefined when the lane filters it out. */
  admits(type: string): Pipeline | undefined {
    const pipeline = this.pipeline;
    if (pipeline.filter.accepts(type)) return pipeline;
    this.counts.filtered++;
    this.metrics.count(MetricName.Filtered, 1, this.labels);
    return undefined;
  }

  /** Takes an admitted event: into the buffer, or the spool when the buffer has no room. Never waits. */
  offer(event: PublishedEvent, pipeline: Pipeline): void {
    this.counts.accepted++;
    this.metrics.count(MetricName.Published, 1, this.labels);
    const item: LaneItem = { event, pipeline };
    const spool = this.spool;
    if (spool && (spool.backlogBytes > 0 || !this.hasRoom(event.size))) {
      if (spool.append(event)) event.receipt?.settle(this.spooledEntry);
      else this.drop(item, "spool-full");
    } else {
      this.buffer.offer(item);
    }
    this.wake();
  }

  /** True when nothing waits in memory, on disk or in a send. */
  get idle(): boolean {
    return this.buffer.size === 0 && this.inFlight === 0 && (this.spool?.backlogBytes ?? 0) === 0;
  }

  /** Resolves at the next offer or `wake` call. */
  waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.wakeUp;
      this.wakeUp = () => {
        previous?.();
        resolve();
      };
    });
  }

  wake(): void {
    const wakeUp = this.wakeUp;
    if (!wakeUp) return;
    this.wakeUp = undefined;
    wakeUp();
  }

  /** Counts and reports a drop; the event's receipt learns why. */
  drop(item: LaneItem, reason: LaneDropReason): void {
    this.dropped[reason]++;
    this.metrics.count(MetricName.Dropped, 1, this.dropLabel(reason));
    item.event.receipt?.settle(this.dropEntry(reason));
  }

  /** Applies a reload of this lane: the new pipeline decides every event published from now on. */
  reconfigure(resolved: ResolvedLane): void {
    this.pipeline = resolved.pipeline;
    const b = resolved.buffer;
    if (
      b.maxEvents !== this.buffer.maxEvents ||
      b.maxBytes !== this.buffer.maxBytes ||
      b.overflow !== this.buffer.overflow
    ) {
      // Move what waits into a buffer of the new size, oldest first; its policy counts any overflow.
      const waiting = this.buffer.close();
      this.buffer = this.newBuffer(resolved);
      for (const item of waiting) this.buffer.offer(item);
    }
  }

  stats(): LaneStats {
    return {
      name: this.name,
      transport: this.transport.kind,
      ...this.counts,
      dropped: { ...this.dropped },
      buffered: this.buffer.size,
      inFlight: this.inFlight,
      ...(this.spool ? { spool: this.spool.stats } : {}),
      ready: this.ready,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private hasRoom(size: number): boolean {
    const b = this.buffer;
    return b.size + this.inFlight < b.maxEvents && b.bytes + this.inFlightBytes + size <= b.maxBytes;
  }

  private newBuffer(resolved: ResolvedLane): OutageBuffer<LaneItem> {
    return new OutageBuffer<LaneItem>(resolved.buffer, (item) => item.event.size, {
      onDrop: (item, reason: DropReason) =>
        this.drop(item, reason === "overflow-oldest" ? reason : "overflow-newest"),
    });
  }

  private dropEntry(reason: string): LaneDelivery {
    let entry = this.dropEntries.get(reason);
    if (!entry) {
      entry = Object.freeze({ lane: this.name, status: "dropped", reason });
      this.dropEntries.set(reason, entry);
    }
    return entry;
  }

  private dropLabel(reason: string): MetricLabels {
    let labels = this.dropLabels.get(reason);
    if (!labels) {
      labels = { lane: this.name, reason };
      this.dropLabels.set(reason, labels);
    }
    return labels;
  }
}
