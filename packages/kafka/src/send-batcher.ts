// Coalesces concurrent `send` calls into few produce requests: records wait up to `lingerMs`
// (or until a batch is full) and go out together, one request in flight at a time so the
// per-partition order of accepted records is the order of `send` calls. Each caller learns,
// per record, whether its batch was accepted; a failed batch fails everything queued behind it
// so nothing overtakes it. Pending records are bounded: past the limit,
// `send` waits for room instead of buffering without bound.
import type { OutboundRecord } from "@kytos-events/core";

export interface BatchOutcome {
  /** Undefined when the batch was accepted. */
  readonly error?: unknown;
}

interface Pending {
  readonly record: OutboundRecord;
  readonly bytes: number;
  readonly done: (outcome: BatchOutcome) => void;
}

export interface SendBatcherOptions {
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly maxPendingRecords: number;
}

const sizeOf = (r: OutboundRecord) => r.value.byteLength + r.key.length + 64;

export class SendBatcher {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly options: SendBatcherOptions,
    private readonly produce: (records: readonly OutboundRecord[]) => Promise<void>,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves with one outcome per record, in order, once each record's batch is settled. */
  async enqueue(records: readonly OutboundRecord[]): Promise<BatchOutcome[]> {
    while (this.queue.length > 0 && this.queue.length + records.length > this.options.maxPendingRecords) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    const outcomes = records.map(
      (record) =>
        new Promise<BatchOutcome>((done) => {
          const bytes = sizeOf(record);
          this.queue.push({ record, bytes, done });
          this.queuedBytes += bytes;
        }),
    );
    this.schedule();
    return Promise.all(outcomes);
  }

  /** Sends whatever is queued now and waits until the queue is empty. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (!this.flushing) void this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private schedule(): void {
    if (this.flushing) return;
    const full =
      this.queue.length >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes;
    if (full || this.options.lingerMs === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.lingerMs);
    }
  }

  private take(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.options.maxBatchRecords) {
      const next = this.queue[n]!;
      if (n > 0 && bytes + next.bytes > this.options.maxBatchBytes) break;
      bytes += next.bytes;
      n++;
    }
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    this.queuedBytes -= bytes;
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.take();
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
    let outcome: BatchOutcome = {};
    try {
      await this.produce(batch.map((p) => p.record));
    } catch (error) {
      outcome = { error };
    }
    for (const p of batch) p.done(outcome);
    if (outcome.error !== undefined) {
      // Records queued behind a failed batch fail with it: sending them now would put them on
      // the broker ahead of the failed ones, and callers re-send in order.
      const behind = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      for (const p of behind) p.done(outcome);
    }
    this.flushing = false;
    if (this.queue.length > 0) this.schedule();
  }
}
