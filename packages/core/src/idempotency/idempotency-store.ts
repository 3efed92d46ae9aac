// Idempotent processing: a consumer asks the store whether an event id was already handled
// before running a handler, and records it after success, so a redelivery does not repeat
// side effects. Async and batchable so Redis (pipelines, SET NX PX) and PostgreSQL (one
// statement per batch) implementations fit behind the same interface.

export interface IdempotencyStore {
  /** True when `id` was marked handled and that mark has not expired (a claim alone is not). */
  seen(id: string): Promise<boolean>;
  /** `seen` for many ids at once, answers in the same order. */
  seenMany(ids: readonly string[]): Promise<boolean[]>;
  /** Records `id` as handled for `ttlMs` (the store's default when absent); replaces a claim. */
  mark(id: string, ttlMs?: number): Promise<void>;
  markMany(ids: readonly string[], ttlMs?: number): Promise<void>;
  /**
   * Optional atomic check-and-set, for stores shared by several consumer processes. seen →
   * handle → mark leaves a window in which two processes handle the same id at once: after a
   * rebalance the previous owner of a partition may still be running its handler when the
   * new owner receives the redelivered record. `claim` closes it: true means "this caller
   * now owns `id` for `leaseMs`" (neither marked nor claimed by anyone else); false means
   * handled or in progress elsewhere. After success call `mark`; after a failure `release`,
   * so a retry may claim it again. The lease bounds how long a crashed owner blocks others.
   * Within one process the consumer's key-ordered scheduling already rules the window out.
   */
  claim?(id: string, leaseMs: number): Promise<boolean>;
  /** Drops a claim that did not lead to a mark; a marked id stays marked. */
  release?(id: string): Promise<void>;
  /** Frees resources; further calls reject with KE_CLOSED. */
  close(): Promise<void>;
}

/**
 * A store held in this process that answers in the calling turn. The consumer uses these
 * methods when present and skips batching: no promise and no event-loop turn per check.
 * They throw (KE_CLOSED) where the async methods would reject.
 */
export interface SyncIdempotencyStore extends IdempotencyStore {
  seenNow(id: string): boolean;
  markNow(id: string, ttlMs?: number): void;
}

/** True when `store` can answer synchronously (see SyncIdempotencyStore). */
export function isSyncIdempotencyStore(store: IdempotencyStore): store is SyncIdempotencyStore {
  const s = store as Partial<SyncIdempotencyStore>;
  return typeof s.seenNow === "function" && typeof s.markNow === "function";
}
