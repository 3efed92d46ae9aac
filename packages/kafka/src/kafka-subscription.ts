// A consumer-group subscription on Kafka. kafkajs fetches; this class decides what is
// committed: every delivered offset is tracked, settlement can finish in any order, and only
// the contiguous watermark is committed (auto-commit is off). Delivery pauses while
// `maxInFlight` records are unsettled, heartbeating so the group does not evict a slow
// consumer. On rebalance, revoked partitions' unsettled work is abandoned without committing
// past it — the new owner gets it from the last committed offset.

import type { CloseReport, InboundRecord, Subscription } from "@kytos-events/core";
import { ErrorCode, KytosEventsError, OffsetTracker } from "@kytos-events/core";
import type { Consumer, EachBatchPayload } from "kafkajs";
import type { ResolvedKafkaConfig } from "./config.js";
import { headersToStrings, KafkaRecord, type Settlement } from "./kafka-record.js";

export interface KafkaSubscriptionOptions {
  readonly group: string;
  readonly topics: readonly string[] | RegExp;
  readonly fromBeginning: boolean;
  readonly maxInFlight: number;
  readonly deadLetter: (record: KafkaRecord, reason: string) => Promise<void>;
}

const laneOf = (topic: string, partition: number) => `${topic}/${partition}`;

function splitLane(lane: string): { topic: string; partition: number } {
  const i = lane.lastIndexOf("/");
  return { topic: lane.slice(0, i), partition: Number(lane.slice(i + 1)) };
}

export class KafkaSubscription implements Subscription {
  private readonly tracker = new OffsetTracker();
  /** Next offset not yet delivered in this process, per lane: refetched older offsets are skipped. */
  private readonly nextExpected = new Map<string, number>();
  private readonly delivered = new Map<string, Set<KafkaRecord>>();
  private readonly queue: KafkaRecord[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly dirty = new Set<string>();
  private commitTimer: NodeJS.Timeout | undefined;
  private commitWaiters: (() => void)[] = [];
  private commitRunning: Promise<void> = Promise.resolve();
  private waiter: (() => void) | undefined;
  private roomWaiter: (() => void) | undefined;
  private closing = false;
  private closed: Promise<CloseReport> | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly config: ResolvedKafkaConfig,
    private readonly options: KafkaSubscriptionOptions,
  ) {}

  async start(): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssigned(payload.memberAssignment));
    consumer.on(consumer.events.REBALANCING, () => void this.flushCommits());
    await consumer.connect();
    const topics = this.options.topics;
    await consumer.subscribe({
      topics: topics instanceof RegExp ? [topics] : [...topics],
      fromBeginning: this.options.fromBeginning,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
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

  /** Clean close: commits the watermark, leaves the group; unsettled records go back to it. */
  close(): Promise<CloseReport> {
    this.closed ??= this.shutdown(true);
    return this.closed;
  }

  /** Like a crashed process: leaves without committing what was settled since the last commit. */
  kill(): Promise<CloseReport> {
    this.closed ??= this.shutdown(false);
    return this.closed;
  }

  private async shutdown(commit: boolean): Promise<CloseReport> {
    this.closing = true;
    const unsettled = this.tracker.unsettled();
    this.wakeRoom();
    if (commit) await this.flushCommits();
    if (this.commitTimer) clearTimeout(this.commitTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    await this.consumer.disconnect();
    for (const lane of [...this.delivered.keys()]) this.revoke(lane);
    this.wake();
    return { unsettled };
  }

  private async next(): Promise<IteratorResult<InboundRecord>> {
    for (;;) {
      if (this.closing) return { done: true, value: undefined };
      if (this.queueHead < this.queue.length) {
        const record = this.queue[this.queueHead++]!;
        if (this.queueHead > 1024) {
          this.queue.splice(0, this.queueHead);
          this.queueHead = 0;
        }
        if (record.abandoned) continue;
        return { done: false, value: record };
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const lane = laneOf(batch.topic, batch.partition);
    const stopped = () => this.closing || !isRunning() || isStale();
    for (const message of batch.messages) {
      if (stopped()) break;
      const offset = Number(message.offset);
      const expected = this.nextExpected.get(lane);
      if (expected !== undefined && offset < expected) {
        resolveOffset(message.offset);
        continue;
      }
      while (this.inFlight >= this.options.maxInFlight && !stopped()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.heartbeatIntervalMs);
          this.roomWaiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        await heartbeat();
      }
      if (stopped()) break;
      this.tracker.track(lane, offset);
      this.nextExpected.set(lane, offset + 1);
      const record = new KafkaRecord(
        (r, how) => this.settle(r, how),
        batch.topic,
        batch.partition,
        message.key ? message.key.toString("utf8") : undefined,
        message.value
          ? new Uint8Array(message.value.buffer, message.value.byteOffset, message.value.byteLength)
          : new Uint8Array(0),
        headersToStrings(message.headers),
        Number(message.timestamp),
        { lane, offset },
        1,
      );
      this.push(record);
      resolveOffset(message.offset);
    }
    if (!stopped()) await heartbeat();
  }

  private push(record: KafkaRecord): void {
    let set = this.delivered.get(record.position.lane);
    if (!set) {
      set = new Set();
      this.delivered.set(record.position.lane, set);
    }
    set.add(record);
    this.inFlight++;
    this.queue.push(record);
    this.wake();
  }

  private async settle(record: KafkaRecord, how: Settlement): Promise<void> {
    const { lane, offset } = record.position;
    if (record.abandoned || this.closing || !this.tracker.isTracked(lane, offset)) {
      throw new KytosEventsError(
        ErrorCode.Closed,
        `cannot settle ${lane}@${offset}: the partition was revoked or the subscription closed; ` +
          "the record will be delivered again to the group.",
      );
    }
    if (how.kind === "dead-letter") await this.options.deadLetter(record, how.reason);
    this.delivered.get(lane)?.delete(record);
    this.inFlight--;
    this.wakeRoom();
    if (how.kind === "retry") {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (!record.abandoned && !this.closing && this.tracker.isTracked(lane, offset))
          this.push(record.again());
      }, how.delayMs);
      this.retryTimers.add(timer);
      return;
    }
    if (this.tracker.complete(lane, offset)) {
      this.dirty.add(lane);
      await this.scheduleCommit();
    }
  }

  private scheduleCommit(): Promise<void> {
    const done = new Promise<void>((resolve) => this.commitWaiters.push(resolve));
    if (!this.commitTimer) {
      this.commitTimer = setTimeout(() => {
        this.commitTimer = undefined;
        void this.flushCommits();
      }, this.config.commitIntervalMs);
    }
    return done;
  }

  private flushCommits(): Promise<void> {
    this.commitRunning = this.commitRunning.then(() => this.commitNow());
    return this.commitRunning;
  }

  private async commitNow(): Promise<void> {
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const lane of this.dirty) {
      const mark = this.tracker.committable(lane);
      if (mark === undefined) continue;
      const { topic, partition } = splitLane(lane);
      offsets.push({ topic, partition, offset: String(mark + 1) });
    }
    this.dirty.clear();
    if (offsets.length > 0) {
      try {
        await this.consumer.commitOffsets(offsets);
      } catch (err) {
        // A commit lost to a rebalance is safe: the next owner starts at the last commit
        // (duplicates, never gaps). Retry it with the next flush while we still own the lane.
        for (const o of offsets) this.dirty.add(laneOf(o.topic, o.partition));
        this.config.logger.warn("kafka: commit failed, will retry", {
          group: this.options.group,
          error: (err as Error).message,
        });
      }
    }
    for (const w of waiters) w();
  }

  private onAssigned(assignment: Record<string, number[]>): void {
    const now = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const p of partitions) now.add(laneOf(topic, p));
    for (const lane of [...this.nextExpected.keys()]) if (!now.has(lane)) this.revoke(lane);
  }

  private revoke(lane: string): void {
    for (const record of this.delivered.get(lane) ?? []) {
      record.abandoned = true;
      this.inFlight--;
    }
    this.delivered.delete(lane);
    this.tracker.revoke(lane);
    this.nextExpected.delete(lane);
    this.dirty.delete(lane);
    this.wakeRoom();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private wakeRoom(): void {
    const w = this.roomWaiter;
    this.roomWaiter = undefined;
    w?.();
  }
}
