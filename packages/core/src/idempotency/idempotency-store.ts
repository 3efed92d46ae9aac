// Idempotent processing: a consumer asks the store whether an event id was already handled
// before running a handler, and records it after success, so a redelivery does not repeat
// side effects. Async and batchable so Redis (pipelines) and PostgreSQL (one statement per
// batch) implementations fit behind the same interface.

export interface IdempotencyStore {
  /** True when `id` was marked and has not expired. */
  seen(id: string): Promise<boolean>;
  /** `seen` for many ids at once, answers in the same order. */
  seenMany(ids: readonly string[]): Promise<boolean[]>;
  /** Records `id` as handled for `ttlMs` (the store's default when absent). */
  mark(id: string, ttlMs?: number): Promise<void>;
  markMany(ids: readonly string[], ttlMs?: number): Promise<void>;
  close(): Promise<void>;
}
