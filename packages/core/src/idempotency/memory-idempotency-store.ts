// The in-process idempotency store: an LRU bounded by entry count, with a TTL per entry.
// Bounded memory means a very old id can be forgotten (evictions are counted): it protects
// against redeliveries within its window, not forever — size it above the number of events a
// consumer can see redelivered (in-flight + one rebalance's worth).
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import type { IdempotencyStore } from "./idempotency-store.js";

export interface MemoryIdempotencyStoreConfig {
  /** Most ids kept; the least recently marked go first. Default 100 000. */
  readonly maxEntries?: number;
  /** How long an id counts as seen. Default 24 h. */
  readonly ttlMs?: number;
  /** Clock, for tests. Default Date.now. */
  readonly now?: () => number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly expiries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Ids forgotten to stay within maxEntries before their TTL ran out. */
  evictions = 0;

  constructor(config: MemoryIdempotencyStoreConfig = {}) {
    this.maxEntries = config.maxEntries ?? 100_000;
    this.ttlMs = config.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = config.now ?? Date.now;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `idempotency store: maxEntries must be a positive integer, got ${this.maxEntries}.`,
      );
    }
    if (!(this.ttlMs > 0)) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `idempotency store: ttlMs must be positive, got ${this.ttlMs}.`,
      );
    }
  }

  get size(): number {
    return this.expiries.size;
  }

  async seen(id: string): Promise<boolean> {
    return this.check(id);
  }

  async seenMany(ids: readonly string[]): Promise<boolean[]> {
    return ids.map((id) => this.check(id));
  }

  async mark(id: string, ttlMs?: number): Promise<void> {
    this.put(id, ttlMs);
  }

  async markMany(ids: readonly string[], ttlMs?: number): Promise<void> {
    for (const id of ids) this.put(id, ttlMs);
  }

  async close(): Promise<void> {
    this.expiries.clear();
  }

  private check(id: string): boolean {
    const expiry = this.expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry <= this.now()) {
      this.expiries.delete(id);
      return false;
    }
    return true;
  }

  private put(id: string, ttlMs = this.ttlMs): void {
    // Re-inserting moves the id to the young end of the Map's insertion order (the LRU order).
    this.expiries.delete(id);
    this.expiries.set(id, this.now() + ttlMs);
    while (this.expiries.size > this.maxEntries) {
      const oldest = this.expiries.keys().next().value as string;
      this.expiries.delete(oldest);
      this.evictions++;
    }
  }
}
