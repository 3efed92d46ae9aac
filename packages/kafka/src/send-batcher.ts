// Coalesces concurrent `send` calls into few produce requests: records wait up to `lingerMs`
// (or until a batch is full) and go out together, one request in flight at a time so the
// per-partition order of accepted records is the order of `send` calls. Each caller learns,
// per record, whether its batch was accepted; a failed batch fails everything queued behind it
// so nothing overtakes it. Pending records are bounded: past the limit, `send` waits for room
// instead of buffering without bound.
import type { OutboundRecord } from "@kytos-events/core";

export interface BatchOutcome {
  /** Undefined when the batch was accepted. */
  readonly error?: unknown;
  /** True when the record never left this process (withdrawn before its batch was taken). */
  readonly withdrawn?: boolean;
  /** True when the caller stopped waiting while the record's batch was in flight: fate unknown. */
  readonly inFlight?: boolean;
}

// The records of one `enqueue` call share one promise: it resolves when the last one settles.
interface Group {
  readonly outcomes: BatchOutcome[];
  remaining: number;
  resolve: (outcomes: BatchOutcome[]) => void;
}

interface Pending {
  readonly record: OutboundRecord;
  readonly bytes: number;
  readonly group: Group;
  readonly index: number;
  taken: boolean;
  outcome?: BatchOutcome;
}

function settle(entry: Pending, outcome: BatchOutcome): void {
  entry.outcome = outcome;
  const group = entry.group;
  group.outcomes[entry.index] = outcome;
  if (--group.remaining === 0) group.resolve(group.outcomes);
}

export interface SendBatcherOptions {
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly maxPendingRecords: number;
}

// Upper bounds of Kafka's record framing (length, attributes, deltas, key/value lengths as
// varints) and of each header's two length varints: estimates must never undercount, or a
// batch could pass the broker's message.max.bytes.
const RECORD_OVERHEAD = 24;
const HEADER_OVERHEAD = 6;
const WITHDRAWN: BatchOutcome = { withdrawn: true };

/** Bytes a record takes in a record batch, rounded up. */
export function recordBytes(record: OutboundRecord): number {
  return record.value.byteLength + keyAndHeaderBytes(record);
}

/** Bytes of a record's key, headers and framing: everything but the value. */
export function keyAndHeaderBytes(record: OutboundRecord): number {
  let bytes = Buffer.byteLength(record.key) + RECORD_OVERHEAD;
  for (const name in record.headers) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(record.headers[name]!) + HEADER_OVERHEAD;
  }
  return bytes;
}

export class SendBatcher {
  // Queued records are queue[head..]: taking a batch moves `head` instead of copying the rest.
  private queue: Pending[] = [];
  private head = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: SendBatcherOptions,
    /**
     * Sends one batch. Throws when the batch as a whole failed (everything queued behind it
     * then fails too); returns per-record errors when only some records were refused for
     * what they are (too large, their topic gone): nothing is left to be overtaken.
     */
    private readonly produce: (
      records: readonly OutboundRecord[],
    ) => Promise<readonly unknown[] | undefined> | Promise<void>,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  /**
   * Resolves with one outcome per record, in order, once each record's batch is settled. An
   * abort resolves at once: records still queued are withdrawn (never sent), records whose
   * batch is already on its way to the broker are reported `inFlight` (fate unknown).
   * `bytes[i]`, when given, is `recordBytes(records[i])` already computed by the caller.
   */
  async enqueue(
    records: readonly OutboundRecord[],
    signal?: AbortSignal,
    bytes?: readonly number[],
  ): Promise<BatchOutcome[]> {
    if (records.length === 0) return [];
    while (this.pending > 0 && this.pending + records.length > this.options.maxPendingRecords) {
      if (signal?.aborted) return records.map(() => WITHDRAWN);
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.roomWaiters.push(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
    if (signal?.aborted) return records.map(() => WITHDRAWN);
    const pending: Pending[] = new Array(records.length);
    let resolve!: (outcomes: BatchOutcome[]) => void;
    const all = new Promise<BatchOutcome[]>((r) => {
      resolve = r;
    });
    const group: Group = { outcomes: new Array(records.length), remaining: records.length, resolve };
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      const size = bytes?.[index] ?? recordBytes(record);
      const entry: Pending = { record, bytes: size, group, index, taken: false };
      pending[index] = entry;
      this.queue.push(entry);
      this.queuedBytes += size;
    }
    this.schedule();
    if (!signal) return all;
    return new Promise<BatchOutcome[]>((resolve) => {
      const onAbort = () => {
        this.withdraw(pending);
        // Withdrawn records settled just now; the others are in a produce request already.
        resolve(pending.map((p) => p.outcome ?? { error: signal.reason, inFlight: true }));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      void all.then((settled) => {
        signal.removeEventListener("abort", onAbort);
        resolve(settled);
      });
    });
  }

  /** Sends whatever is queued now and resolves once nothing is queued or in flight. */
  async drain(): Promise<void> {
    if (this.pending === 0 && !this.flushing) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.flush();
    await idle;
  }

  private withdraw(entries: readonly Pending[]): void {
    const withdrawn = new Set(entries.filter((e) => !e.taken));
    if (withdrawn.size === 0) return;
    this.queue = this.queue.slice(this.head).filter((e) => !withdrawn.has(e));
    this.head = 0;
    for (const e of withdrawn) {
      this.queuedBytes -= e.bytes;
      settle(e, WITHDRAWN);
    }
    this.wakeRoom();
  }

  private schedule(): void {
    if (this.flushing) return;
    const full =
      this.pending >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes;
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
    const queue = this.queue;
    const start = this.head;
    const end = Math.min(queue.length, start + this.options.maxBatchRecords);
    let bytes = 0;
    let n = start;
    while (n < end) {
      const next = queue[n]!;
      if (n > start && bytes + next.bytes > this.options.maxBatchBytes) break;
      bytes += next.bytes;
      next.taken = true;
      n++;
    }
    const batch = queue.slice(start, n);
    this.head = n;
    // Drop the taken prefix once it is most of the array (amortised O(1) per record).
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= bytes;
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    if (this.pending === 0) return this.wakeIdle();
    this.flushing = true;
    const batch = this.take();
    this.wakeRoom();
    let outcome: BatchOutcome = {};
    let refused: readonly unknown[] | undefined;
    try {
      refused = (await this.produce(batch.map((p) => p.record))) ?? undefined;
    } catch (error) {
      outcome = { error };
    }
    for (let i = 0; i < batch.length; i++) {
      const error = refused?.[i];
      settle(batch[i]!, error === undefined ? outcome : { error });
    }
    if (outcome.error !== undefined) {
      // Records queued behind a failed batch fail with it: sending them now would put them on
      // the broker ahead of the failed ones, and callers re-send in order.
      const behind = this.queue.slice(this.head);
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
      for (const p of behind) settle(p, outcome);
      this.wakeRoom();
    }
    this.flushing = false;
    if (this.pending === 0) this.wakeIdle();
    else if (this.idleWaiters.length > 0) void this.flush();
    else this.schedule();
  }

  private wakeRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
