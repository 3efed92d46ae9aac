// A consumer-group member on the memory broker. It reads its assigned partitions from the
// group's committed positions, tracks every delivered record, and commits only the contiguous
// watermark — so whatever it leaves unsettled (close, crash, rebalance) is delivered again to
// whichever member owns the partition next.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { OffsetTracker } from "../tracking/offset-tracker.js";
import { Header } from "../transport/headers.js";
import type {
  CloseReport,
  InboundRecord,
  Position,
  RetryOptions,
  Subscription,
} from "../transport/transport.js";
import { type GroupMember, type MemoryBroker, parseLane } from "./memory-broker.js";
import { partitionForKey } from "./partition-for-key.js";
import type { PartitionLog, StoredRecord } from "./partition-log.js";

let nextMemberId = 0;

class MemoryRecord implements InboundRecord {
  readonly destination: string;
  readonly key: string | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
  readonly position: Position;
  abandoned = false;
  private settlement: Promise<void> | undefined;

  constructor(
    private readonly owner: MemorySubscription,
    stored: StoredRecord,
    destination: string,
    lane: string,
    readonly attempt: number,
  ) {
    this.destination = destination;
    this.key = stored.key;
    this.value = stored.value;
    this.headers = stored.headers;
    this.timestamp = stored.timestamp;
    this.position = { lane, offset: stored.offset };
    this.stored = stored;
  }

  readonly stored: StoredRecord;

  ack(): Promise<void> {
    this.settlement ??= this.owner.settle(this, { kind: "ack" });
    return this.settlement;
  }

  retry(options: RetryOptions = {}): Promise<void> {
    this.settlement ??= this.owner.settle(this, { kind: "retry", delayMs: options.delayMs ?? 0 });
    return this.settlement;
  }

  deadLetter(reason: string): Promise<void> {
    this.settlement ??= this.owner.settle(this, { kind: "dead-letter", reason });
    return this.settlement;
  }
}

type Settlement =
  | { kind: "ack" }
  | { kind: "retry"; delayMs: number }
  | { kind: "dead-letter"; reason: string };

export interface MemorySubscriptionOptions {
  readonly group: string;
  readonly destinations: readonly string[];
  readonly fromBeginning: boolean;
  readonly maxInFlight: number;
  readonly deadLetterDestination: string | undefined;
}

/** An assigned lane and how far this member has read it. */
interface LaneCursor {
  readonly lane: string;
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  next: number;
}

export class MemorySubscription implements Subscription, GroupMember {
  readonly id = `member-${++nextMemberId}`;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  private readonly owned = new Map<string, LaneCursor>();
  // The same cursors as an array, rebuilt on assignment, so reading allocates nothing per record.
  private cursors: LaneCursor[] = [];
  private readonly delivered = new Map<string, Set<MemoryRecord>>();
  private readonly tracker = new OffsetTracker();
  private retries: { due: number; record: MemoryRecord }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private cursor = 0;
  private waiter: (() => void) | undefined;
  private closed = false;
  private closeReport: Promise<CloseReport> | undefined;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly options: MemorySubscriptionOptions,
    private readonly onClose: (s: MemorySubscription) => void,
  ) {
    this.topics = options.destinations;
    this.fromBeginning = options.fromBeginning;
    broker.join(options.group, this);
  }

  assign(lanes: readonly string[]): void {
    const keep = new Set(lanes);
    for (const lane of [...this.owned.keys()]) if (!keep.has(lane)) this.revoke(lane);
    for (const lane of lanes) {
      if (!this.owned.has(lane)) {
        const { topic, partition } = parseLane(lane);
        const log = this.broker.topic(topic)!.partitions[partition]!;
        const next = this.broker.position(this.options.group, lane, this.fromBeginning);
        this.owned.set(lane, { lane, topic, partition, log, next });
        this.delivered.set(lane, new Set());
      }
    }
    this.cursors = [...this.owned.values()];
    this.wake();
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
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
    this.closeReport ??= (async () => {
      this.closed = true;
      const unsettled = this.tracker.unsettled();
      this.broker.leave(this.options.group, this);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.onClose(this);
      this.wake();
      return { unsettled };
    })();
    return this.closeReport;
  }

  async settle(record: MemoryRecord, how: Settlement): Promise<void> {
    const lane = record.position.lane;
    if (record.abandoned || !this.owned.has(lane)) {
      throw new KytosEventsError(
        ErrorCode.Closed,
        `cannot settle ${lane}@${record.position.offset}: its partition was revoked (close or rebalance); ` +
          "the record will be delivered again to the group.",
      );
    }
    // The dead-letter copy first: if it cannot be written, the record stays unsettled.
    if (how.kind === "dead-letter") this.deadLetter(record, how.reason);
    this.delivered.get(lane)?.delete(record);
    this.inFlight--;
    if (how.kind === "retry") {
      this.scheduleRetry(record, how.delayMs);
    } else {
      if (this.tracker.complete(lane, record.position.offset)) {
        this.broker.commit(this.options.group, lane, this.tracker.committable(lane)! + 1);
      }
    }
    this.wake();
  }

  private async next(): Promise<IteratorResult<InboundRecord>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      if (this.inFlight < this.options.maxInFlight) {
        const record = this.takeDueRetry() ?? this.takeNext();
        if (record) {
          this.inFlight++;
          this.delivered.get(record.position.lane)!.add(record);
          return { done: false, value: record };
        }
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  // Round-robin over the assigned lanes, so one busy partition cannot starve the others.
  private takeNext(): MemoryRecord | undefined {
    const cursors = this.cursors;
    for (let i = 0; i < cursors.length; i++) {
      const c = cursors[(this.cursor + i) % cursors.length]!;
      const stored = c.log.next(c.next);
      if (!stored) continue;
      this.cursor = (this.cursor + i + 1) % cursors.length;
      c.next = stored.offset + 1;
      this.tracker.track(c.lane, stored.offset);
      return new MemoryRecord(this, stored, c.topic, c.lane, 1);
    }
    return undefined;
  }

  private takeDueRetry(): MemoryRecord | undefined {
    const first = this.retries[0];
    if (!first) return undefined;
    if (first.due > Date.now()) {
      this.armRetryTimer();
      return undefined;
    }
    this.retries.shift();
    this.armRetryTimer();
    const r = first.record;
    return new MemoryRecord(this, r.stored, r.destination, r.position.lane, r.attempt + 1);
  }

  private scheduleRetry(record: MemoryRecord, delayMs: number): void {
    const due = Date.now() + Math.max(0, delayMs);
    let i = this.retries.length;
    while (i > 0 && this.retries[i - 1]!.due > due) i--;
    this.retries.splice(i, 0, { due, record });
    this.armRetryTimer();
  }

  // One timer, always for the earliest pending retry: re-armed whenever that one changes, so
  // later retries are not left without a wake-up. +1 ms because a timer can fire up to a
  // millisecond before Date.now() reaches `due`, which would leave the retry undelivered.
  private armRetryTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const first = this.retries[0];
    if (!first) return;
    this.retryTimer = setTimeout(() => this.wake(), Math.max(0, first.due - Date.now()) + 1);
    this.retryTimer.unref?.();
  }

  // An existing dead-letter destination is used as it is (any partition count, keyed like any
  // send); a missing one is created with one partition, as a broker would auto-create it.
  private deadLetter(record: MemoryRecord, reason: string): void {
    const name = this.options.deadLetterDestination ?? `${record.destination}.dlq`;
    const topic = this.broker.topic(name) ?? this.broker.ensureTopic({ name, partitions: 1 });
    const partition = record.key === undefined ? 0 : partitionForKey(record.key, topic.partitions.length);
    this.broker.append(name, partition, {
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [Header.DeadLetterReason]: reason,
        [Header.DeadLetterOrigin]: `${record.position.lane}@${record.position.offset}`,
        [Header.DeadLetterAt]: new Date().toISOString(),
        [Header.Attempt]: String(record.attempt),
      },
      timestamp: Date.now(),
    });
  }

  private revoke(lane: string): void {
    for (const record of this.delivered.get(lane) ?? []) {
      record.abandoned = true;
      this.inFlight--;
    }
    this.delivered.delete(lane);
    this.retries = this.retries.filter((r) => {
      if (r.record.position.lane !== lane) return true;
      r.record.abandoned = true;
      return false;
    });
    this.tracker.revoke(lane);
    this.owned.delete(lane);
    this.cursors = [...this.owned.values()];
  }
}
