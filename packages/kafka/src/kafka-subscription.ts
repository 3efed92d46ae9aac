// A consumer-group subscription on Kafka. kafkajs fetches; this class decides what is
// committed: every delivered offset is tracked, settlement can finish in any order, and only
// the contiguous watermark is committed (auto-commit is off). Delivery pauses while
// `maxInFlight` records are unsettled, heartbeating so the group does not evict a slow
// consumer. On rebalance, revoked partitions' unsettled work is abandoned without committing
// past it — the new owner gets it from the last committed offset. `caughtUp()` tells when
// everything the partitions held at the time of asking was handled (table bootstrap). Lag per
// partition goes to the metrics sink from each batch's high watermark (partition-lag.ts).

import type { CloseReport, InboundRecord, Metrics, Subscription } from "@kytos-events/core";
import { ErrorCode, KytosEventsError, OffsetTracker } from "@kytos-events/core";
import type { Consumer, EachBatchPayload } from "kafkajs";
import { CatchUp } from "./catch-up.js";
import type { ResolvedKafkaConfig } from "./config.js";
import { headersToStrings, KafkaRecord, type Settlement } from "./kafka-record.js";
import { mapKafkaError } from "./map-error.js";
import { PartitionLag } from "./partition-lag.js";
import { laneOf, type PartitionRange, splitLane } from "./partition-offsets.js";

export interface KafkaSubscriptionOptions {
  readonly group: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly maxInFlight: number;
  readonly deadLetter: (record: KafkaRecord, reason: string) => Promise<void>;
  /** Where the group stands on each partition of its topics, per the broker. */
  readonly ranges: () => Promise<Map<string, PartitionRange>>;
  readonly onClosed: () => void;
  /** Receives the consumer lag of each assigned partition. */
  readonly metrics: Metrics;
}

/** What the settlements waiting on one lane's next commit share: one promise, not one each. */
interface CommitWaiter {
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

function commitWaiter(): CommitWaiter {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { done, resolve, reject };
}

const closedBeforeCaughtUp = () =>
  new KytosEventsError(ErrorCode.Closed, "the subscription closed before it caught up.");

// After a failed commit (coordinator moving, broker away), the next attempt waits this long.
const COMMIT_RETRY_MS = 250;
// A commit that follows straight on from the previous one (records were settled while it ran)
// waits this long first. Commits share the coordinator connection with fetches, so back-to-back
// commits slow the reading itself; a consumer that settles only after its last ack resolved
// (awaiting each ack) never hits this and commits at once.
const BUSY_COMMIT_DELAY_MS = 20;

export class KafkaSubscription implements Subscription {
  private readonly tracker = new OffsetTracker();
  /** Lanes of the current assignment. */
  private readonly assigned = new Set<string>();
  private catchUp: Promise<CatchUp> | undefined;
  /**
   * Resolves at the first assignment with a partition (or close): caughtUp() needs to know the
   * partitions, and an empty assignment (a join that placed this member before the topic's
   * partitions reached it, or while another member still holds them) says nothing about them.
   */
  private joined!: () => void;
  private readonly firstJoin = new Promise<void>((resolve) => {
    this.joined = resolve;
  });
  private caughtUpLanes: CatchUp | undefined;
  private failure: KytosEventsError | undefined;
  /** Next offset not yet delivered in this process, per lane: refetched older offsets are skipped. */
  private readonly nextExpected = new Map<string, number>();
  /** Per lane: the offset after the settled prefix, and the end of the last fetched batch. */
  private readonly settledNext = new Map<string, number>();
  private readonly batchEnd = new Map<string, number>();
  private readonly delivered = new Map<string, Set<KafkaRecord>>();
  private readonly queue: KafkaRecord[] = [];
  private queueHead = 0;
  private inFlight = 0;
  /** Pending `retry()` redeliveries and their lanes: a revoked lane's are cancelled. */
  private readonly retryTimers = new Map<NodeJS.Timeout, string>();
  private readonly dirty = new Set<string>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** A commit is armed or running: settlements in the meantime ride on the next one. */
  private commitPending = false;
  private lastCommitAt = 0;
  /** Settlements waiting for the commit that covers them, per lane. */
  private commitWaiters = new Map<string, CommitWaiter>();
  private commitRunning: Promise<void> = Promise.resolve();
  private waiter: (() => void) | undefined;
  private roomWaiter: (() => void) | undefined;
  private closing = false;
  private closed: Promise<CloseReport> | undefined;
  private readonly lag: PartitionLag;
  /** In-flight count at or below which a batch paused at maxInFlight goes on delivering. */
  private readonly resumeAt: number;

  constructor(
    private readonly consumer: Consumer,
    private readonly config: ResolvedKafkaConfig,
    private readonly options: KafkaSubscriptionOptions,
  ) {
    this.lag = new PartitionLag(options.metrics);
    this.resumeAt = options.maxInFlight - Math.max(1, Math.floor(options.maxInFlight / 4));
  }

  /** Joins the group; called once by the transport's `subscribe`. */
  async start(): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssigned(payload.memberAssignment));
    consumer.on(consumer.events.REBALANCING, () => void this.flushCommits());
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(payload.error, payload.restart));
    await consumer.connect();
    const topics = this.options.topics;
    await consumer.subscribe({
      topics: [...topics],
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

  /**
   * Resolves once every record its partitions held when this was called (offsets below each
   * partition's log end then) was delivered and settled, at once for partitions with nothing
   * to read. Meant for reading a compacted topic from the beginning into a table: apply, then
   * ack; after this resolves the table holds the latest state as of the call. Counts the
   * partitions assigned at the call (before the first assignment that gives this member a
   * partition it waits for one; a member of a group with more members than partitions waits
   * until it holds one); one moved to another member by a rebalance stops counting.
   * Rejects with KE_CLOSED if the subscription closes first.
   */
  async caughtUp(): Promise<void> {
    this.catchUp ??= this.startCatchUp();
    const catchUp = await this.catchUp;
    await catchUp.done;
    if (catchUp.cancelled) throw closedBeforeCaughtUp();
  }

  private async startCatchUp(): Promise<CatchUp> {
    await this.firstJoin;
    const ranges = await this.options.ranges();
    // Closed while asking the broker: the assignment is gone, nothing left to wait for.
    if (this.closing) throw closedBeforeCaughtUp();
    const ends = new Map<string, number>();
    for (const lane of this.assigned) {
      const range = ranges.get(lane);
      if (range) ends.set(lane, range.end);
    }
    const catchUp = new CatchUp(ends, (lane) => this.settledNext.get(lane) ?? ranges.get(lane)!.start);
    this.caughtUpLanes = catchUp;
    return catchUp;
  }

  /**
   * Like a crashed process (for tests): leaves without committing what was settled since the
   * last commit.
   */
  kill(): Promise<CloseReport> {
    this.closed ??= this.shutdown(false);
    return this.closed;
  }

  private async shutdown(commit: boolean): Promise<CloseReport> {
    this.closing = true;
    this.joined();
    this.caughtUpLanes?.cancel();
    const unsettled = this.tracker.unsettled();
    this.wakeRoom();
    if (commit) await this.flushCommits();
    if (this.commitTimer) clearTimeout(this.commitTimer);
    for (const t of this.retryTimers.keys()) clearTimeout(t);
    await this.consumer.disconnect();
    for (const lane of new Set([...this.delivered.keys(), ...this.assigned])) this.revoke(lane);
    this.wake();
    this.options.onClosed();
    return { unsettled };
  }

  private async next(): Promise<IteratorResult<InboundRecord>> {
    for (;;) {
      if (this.failure) throw this.failure;
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
    if (stopped()) return;
    this.lag.fetched(
      lane,
      batch.topic,
      batch.partition,
      Number(batch.firstOffset() ?? batch.highWatermark),
      Number(batch.highWatermark),
    );
    // kafkajs keeps one resolved offset per partition (the latest wins) and parses each one
    // it is given into a Long: resolving only the last handed-out offset, before each wait
    // for room and at the end, says the same at a fraction of the cost.
    let resolved: string | undefined;
    const resolve = () => {
      if (resolved !== undefined) resolveOffset(resolved);
      resolved = undefined;
    };
    const settle = (r: KafkaRecord, how: Settlement) => this.settle(r, how);
    for (const message of batch.messages) {
      if (stopped()) break;
      const offset = Number(message.offset);
      const expected = this.nextExpected.get(lane);
      if (expected !== undefined && offset < expected) {
        resolved = message.offset;
        continue;
      }
      if (this.inFlight >= this.options.maxInFlight) resolve();
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
        settle,
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
      resolved = message.offset;
    }
    resolve();
    if (stopped()) return;
    // The whole batch was handed out; its last offset may be a record kafkajs filtered
    // (transaction marker), so the batch, not the last message, says how far this lane got.
    const end = Math.max(this.nextExpected.get(lane) ?? 0, Number(batch.lastOffset()) + 1);
    this.nextExpected.set(lane, end);
    this.batchEnd.set(lane, end);
    if (this.tracker.unsettled(lane) === 0) this.reached(lane, end);
    await heartbeat();
  }

  /** Every record of the lane below `next` is settled: the caught-up position moves there. */
  private reached(lane: string, next: number): void {
    if (next <= (this.settledNext.get(lane) ?? -1)) return;
    this.settledNext.set(lane, next);
    this.caughtUpLanes?.advance(lane, next);
    this.lag.settled(lane, next);
  }

  private onCrash(error: Error, restart: boolean): void {
    const mapped = mapKafkaError(error, `consumer group "${this.options.group}"`, this.config.brokers);
    if (restart) {
      this.config.logger.warn("kafka: consumer crashed, kafkajs restarts it", {
        group: this.options.group,
        error: mapped.error.message,
      });
      return;
    }
    // kafkajs gave up: end the iteration with the reason instead of hanging silently.
    this.failure = mapped.error;
    this.wake();
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
    // A paused batch resumes once a quarter of the window is free, not at every settlement:
    // one wake-up (timer, promise, heartbeat) per chunk of records instead of one per record.
    if (this.inFlight <= this.resumeAt) this.wakeRoom();
    if (how.kind === "retry") {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (!record.abandoned && !this.closing && this.tracker.isTracked(lane, offset))
          this.push(record.again());
      }, how.delayMs);
      this.retryTimers.set(timer, lane);
      return;
    }
    if (this.tracker.complete(lane, offset)) {
      // With nothing unsettled, the filtered tail of the last batch (if any) is passed too.
      const end = this.tracker.unsettled(lane) === 0 ? this.batchEnd.get(lane) : undefined;
      this.reached(lane, Math.max(this.tracker.committable(lane)! + 1, end ?? 0));
      this.dirty.add(lane);
      await this.scheduleCommit(lane);
    }
  }

  /** Resolves when a commit covering the lane's current watermark succeeded. */
  private scheduleCommit(lane: string): Promise<void> {
    let waiter = this.commitWaiters.get(lane);
    if (!waiter) {
      waiter = commitWaiter();
      this.commitWaiters.set(lane, waiter);
    }
    if (!this.commitPending) this.armCommit(0);
    return waiter.done;
  }

  /**
   * One commit at a time, started at least `commitIntervalMs` after the previous one: an idle
   * consumer commits (and resolves its ack) at once, a busy one coalesces many settlements
   * into each commit.
   */
  private armCommit(extraDelayMs: number): void {
    if (this.closing) return;
    this.commitPending = true;
    const wait = Math.max(extraDelayMs, this.lastCommitAt + this.config.commitIntervalMs - Date.now());
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.flushCommits();
    }, wait);
  }

  private flushCommits(): Promise<void> {
    this.commitRunning = this.commitRunning.then(async () => {
      this.lastCommitAt = Date.now();
      const retryAfterMs = await this.commitNow();
      this.commitPending = false;
      if (retryAfterMs !== undefined) this.armCommit(retryAfterMs);
      // Settled while the commit ran: the consumer is busy; let the next commit gather more.
      else if (this.dirty.size > 0) this.armCommit(BUSY_COMMIT_DELAY_MS);
    });
    return this.commitRunning;
  }

  /** Commits the dirty lanes' watermarks; returns a delay when it must be tried again. */
  private async commitNow(): Promise<number | undefined> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    const lanes = [...this.dirty];
    this.dirty.clear();
    // The settlements made before this commit started are the ones it covers; later ones
    // wait for the next commit.
    const covered = new Map<string, CommitWaiter>();
    for (const lane of lanes) {
      const waiter = this.commitWaiters.get(lane);
      if (waiter) covered.set(lane, waiter);
      this.commitWaiters.delete(lane);
    }
    for (const lane of lanes) {
      const mark = this.tracker.committable(lane);
      if (mark === undefined) continue;
      const { topic, partition } = splitLane(lane);
      offsets.push({ topic, partition, offset: String(mark + 1) });
    }
    try {
      if (offsets.length > 0) await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // Not committed: nothing is lost (the group would redeliver from the last commit), and
      // the settlements wait for the next attempt while this member still owns the lanes.
      for (const lane of lanes) if (this.tracker.committable(lane) !== undefined) this.dirty.add(lane);
      this.config.logger.warn("kafka: commit failed, will retry", {
        group: this.options.group,
        error: (err as Error).message,
      });
      if (!this.closing) {
        this.rejoinWaiters(covered);
        return COMMIT_RETRY_MS;
      }
      const error = mapKafkaError(err, "commit", this.config.brokers).error;
      for (const waiter of covered.values()) waiter.reject(error);
      this.rejectCommitWaiters(lanes, error);
      return undefined;
    }
    for (const waiter of covered.values()) waiter.resolve();
    return undefined;
  }

  /** After a failed commit its waiters wait for the next one, with whoever settled meanwhile. */
  private rejoinWaiters(covered: Map<string, CommitWaiter>): void {
    for (const [lane, waiter] of covered) {
      if (!this.assigned.has(lane)) {
        // Revoked while the commit ran: revoke() already told the lane's later waiters.
        waiter.reject(
          new KytosEventsError(
            ErrorCode.Closed,
            `the partition ${lane} left this subscriber before its commit.`,
          ),
        );
        continue;
      }
      const newer = this.commitWaiters.get(lane);
      if (newer) newer.done.then(waiter.resolve, waiter.reject);
      else this.commitWaiters.set(lane, waiter);
    }
  }

  private rejectCommitWaiters(lanes: Iterable<string>, error: Error): void {
    for (const lane of lanes) {
      const waiter = this.commitWaiters.get(lane);
      this.commitWaiters.delete(lane);
      waiter?.reject(error);
    }
  }

  private onAssigned(assignment: Record<string, number[]>): void {
    const now = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const p of partitions) now.add(laneOf(topic, p));
    for (const lane of new Set([...this.nextExpected.keys(), ...this.assigned])) {
      if (!now.has(lane)) this.revoke(lane);
    }
    this.assigned.clear();
    for (const lane of now) this.assigned.add(lane);
    if (now.size > 0) this.joined();
  }

  private revoke(lane: string): void {
    for (const record of this.delivered.get(lane) ?? []) {
      record.abandoned = true;
      this.inFlight--;
    }
    this.delivered.delete(lane);
    this.tracker.revoke(lane);
    this.nextExpected.delete(lane);
    this.settledNext.delete(lane);
    this.batchEnd.delete(lane);
    for (const [timer, of] of this.retryTimers) {
      if (of !== lane) continue;
      clearTimeout(timer);
      this.retryTimers.delete(timer);
    }
    this.dirty.delete(lane);
    this.assigned.delete(lane);
    this.rejectCommitWaiters(
      [lane],
      new KytosEventsError(
        ErrorCode.Closed,
        `settled records of ${lane} could not be committed before the partition left this subscriber; ` +
          "they will be delivered again to the group.",
      ),
    );
    this.caughtUpLanes?.revoke(lane);
    this.lag.revoked(lane);
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
