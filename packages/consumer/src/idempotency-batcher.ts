// Talks to the idempotency store in batches: every `seen` and `mark` asked for in the same
// turn of the event loop goes out as one `seenMany` / `markMany` (one Redis pipeline, one SQL
// statement), so concurrent handlers cost one round trip per batch instead of one each. The
// batch closes at setImmediate, after the records a transport delivered together have all
// reached this point. A store held in this process (SyncIdempotencyStore: the memory store)
// is asked directly instead: its answer comes back in the same turn, with no promise to wait on.
import { type IdempotencyStore, isSyncIdempotencyStore, type SyncIdempotencyStore } from "@kytos-events/core";

interface Pending<T> {
  readonly ids: string[];
  readonly waiters: { resolve: (value: T) => void; reject: (err: unknown) => void }[];
}

export class IdempotencyBatcher {
  private seenBatch: Pending<boolean> | undefined;
  private markBatch: Pending<void> | undefined;
  private readonly direct: SyncIdempotencyStore | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly ttlMs: number | undefined,
    private readonly maxBatch = 500,
  ) {
    this.direct = isSyncIdempotencyStore(store) ? store : undefined;
  }

  /** The answer itself from an in-process store (which may throw), else a promise of it. */
  seen(id: string): boolean | Promise<boolean> {
    if (this.direct) return this.direct.seenNow(id);
    if (!this.seenBatch) this.seenBatch = this.open(() => this.flushSeen());
    const batch = this.seenBatch;
    const result = this.enqueue(batch, id);
    if (batch.ids.length >= this.maxBatch) this.flushSeen();
    return result;
  }

  /** Done on return with an in-process store (which may throw), else a promise. */
  mark(id: string): undefined | Promise<void> {
    if (this.direct) {
      this.direct.markNow(id, this.ttlMs);
      return undefined;
    }
    if (!this.markBatch) this.markBatch = this.open(() => this.flushMark());
    const batch = this.markBatch;
    const result = this.enqueue(batch, id);
    if (batch.ids.length >= this.maxBatch) this.flushMark();
    return result;
  }

  private open<T>(flush: () => void): Pending<T> {
    setImmediate(flush);
    return { ids: [], waiters: [] };
  }

  private enqueue<T>(batch: Pending<T>, id: string): Promise<T> {
    batch.ids.push(id);
    return new Promise<T>((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  private flushSeen(): void {
    const batch = this.seenBatch;
    if (!batch) return;
    this.seenBatch = undefined;
    call(() => this.store.seenMany(batch.ids)).then(
      (answers) => {
        batch.waiters.forEach((w, i) => {
          w.resolve(answers[i] === true);
        });
      },
      (err: unknown) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }

  private flushMark(): void {
    const batch = this.markBatch;
    if (!batch) return;
    this.markBatch = undefined;
    call(() => this.store.markMany(batch.ids, this.ttlMs)).then(
      () => {
        for (const w of batch.waiters) w.resolve();
      },
      (err: unknown) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }
}

/** A store that throws instead of rejecting still fails only the batch's waiters. */
function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return operation();
  } catch (err) {
    return Promise.reject(err);
  }
}
