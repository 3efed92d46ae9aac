// The in-process idempotency store: an LRU bounded by entry count, with a TTL per entry.
// Bounded memory means an old id can be forgotten before its TTL (those evictions are
// counted): it protects against redeliveries within its window, not forever — size it above
// the number of events a consumer can see redelivered (in-flight + one rebalance's worth).
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import type { SyncIdempotencyStore } from "./idempotency-store.js";

export interface MemoryIdempotencyStoreConfig {
  /** Most ids kept; the least recently marked or claimed go first. Default 100 000. */
  readonly maxEntries?: number;
  /** How long a marked id counts as seen, ms. Default 24 h. */
  readonly ttlMs?: number;
  /** Clock in ms, for tests. Default Date.now. */
  readonly now?: () => number;
}

interface Entry {
  readonly expiresAt: number;
  readonly done: boolean;
}

export class MemoryIdempotencyStore implements SyncIdempotencyStore {
  // A Map iterates in insertion order; deleting and re-inserting on every write makes its
  // first key the least recently written one, which is the LRU order this store needs.
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private closed = false;
  /** Live ids forgotten to stay within maxEntries, before their TTL ran out. */
  evictions = 0;

  /** @throws KytosEventsError KE_CONFIG_INVALID naming the setting that is out of range. */
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
    checkDuration(this.ttlMs, "ttlMs");
  }

  /** Entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  async seen(id: string): Promise<boolean> {
    return this.seenNow(id);
  }

  seenNow(id: string): boolean {
    this.assertOpen();
    return this.live(id)?.done === true;
  }

  async seenMany(ids: readonly string[]): Promise<boolean[]> {
    this.assertOpen();
    return ids.map((id) => this.live(id)?.done === true);
  }

  async mark(id: string, ttlMs?: number): Promise<void> {
    this.markNow(id, ttlMs);
  }

  markNow(id: string, ttlMs?: number): void {
    this.assertOpen();
    this.put(id, true, ttlMs === undefined ? this.ttlMs : checkDuration(ttlMs, "mark ttlMs"));
  }

  async markMany(ids: readonly string[], ttlMs?: number): Promise<void> {
    this.assertOpen();
    const ttl = ttlMs === undefined ? this.ttlMs : checkDuration(ttlMs, "markMany ttlMs");
    for (const id of ids) this.put(id, true, ttl);
  }

  async claim(id: string, leaseMs: number): Promise<boolean> {
    this.assertOpen();
    checkDuration(leaseMs, "claim leaseMs");
    if (this.live(id)) return false;
    this.put(id, false, leaseMs);
    return true;
  }

  async release(id: string): Promise<void> {
    this.assertOpen();
    if (this.entries.get(id)?.done === false) this.entries.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
  }

  private live(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private put(id: string, done: boolean, ttlMs: number): void {
    const now = this.now();
    this.entries.delete(id);
    this.entries.set(id, { expiresAt: now + ttlMs, done });
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      if (entry.expiresAt > now) this.evictions++;
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new KytosEventsError(ErrorCode.Closed, "the idempotency store is closed: create a new one.");
    }
  }
}

function checkDuration(ms: number, setting: string): number {
  if (!(ms > 0 && Number.isFinite(ms))) {
    throw new KytosEventsError(
      ErrorCode.ConfigInvalid,
      `idempotency store: ${setting} must be a positive number of milliseconds, got ${ms}.`,
    );
  }
  return ms;
}
