// Where events wait while a broker is away: a FIFO bounded by event count and by bytes. When
// full, the configured policy decides who loses — and every loss is counted and reported,
// never silent. Batches a transport rejected as retriable go back to the front, so order
// survives retries.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { Deque } from "./deque.js";

export type OverflowPolicy = "drop-oldest" | "drop-newest" | "wait";
export type DropReason = "overflow-oldest" | "overflow-newest" | "wait-timeout" | "closed";

export interface OutageBufferConfig {
  /** Most events held. Default 10 000. */
  readonly maxEvents?: number;
  /** Most bytes held (sum of item sizes). Default 64 MiB. */
  readonly maxBytes?: number;
  /**
   * When full: "drop-oldest" (default — for status streams the newest state matters most),
   * "drop-newest" (keep history, refuse the new one), or "wait" (the new event waits for room
   * up to `waitTimeoutMs`, then is dropped as "wait-timeout").
   */
  readonly overflow?: OverflowPolicy;
  /** Deadline for "wait". Default 1000 ms. */
  readonly waitTimeoutMs?: number;
}

export interface OutageBufferHooks<T> {
  /** Called for every dropped item, with why. */
  readonly onDrop?: (item: T, reason: DropReason) => void;
}

export class OutageBuffer<T> {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  readonly waitTimeoutMs: number;
  private readonly queue = new Deque<{ item: T; size: number }>();
  private heldBytes = 0;
  private readonly drops: Record<DropReason, number> = {
    "overflow-oldest": 0,
    "overflow-newest": 0,
    "wait-timeout": 0,
    closed: 0,
  };
  private roomWaiters: (() => void)[] = [];
  private itemWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    config: OutageBufferConfig,
    private readonly sizeOf: (item: T) => number,
    private readonly hooks: OutageBufferHooks<T> = {},
  ) {
    this.maxEvents = config.maxEvents ?? 10_000;
    this.maxBytes = config.maxBytes ?? 64 * 1024 * 1024;
    this.overflow = config.overflow ?? "drop-oldest";
    this.waitTimeoutMs = config.waitTimeoutMs ?? 1000;
    const bad = (m: string) => new KytosEventsError(ErrorCode.ConfigInvalid, `outage buffer: ${m}.`);
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 1)
      throw bad(`maxEvents must be a positive integer, got ${this.maxEvents}`);
    if (!(this.maxBytes >= 1)) throw bad(`maxBytes must be positive, got ${this.maxBytes}`);
    if (!["drop-oldest", "drop-newest", "wait"].includes(this.overflow)) {
      throw bad(`overflow must be drop-oldest, drop-newest or wait, got "${this.overflow}"`);
    }
    if (!(this.waitTimeoutMs >= 0)) throw bad(`waitTimeoutMs must be >= 0, got ${this.waitTimeoutMs}`);
  }

  get size(): number {
    return this.queue.length;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Drops so far, by reason. */
  get dropped(): Readonly<Record<DropReason, number>> {
    return this.drops;
  }

  get totalDropped(): number {
    return Object.values(this.drops).reduce((a, b) => a + b, 0);
  }

  /**
   * Adds an item without waiting. Returns false when the item itself was dropped
   * (drop-newest, or "wait" with no room: use `put` for waiting).
   */
  offer(item: T): boolean {
    const size = this.sizeOf(item);
    if (this.closed) return this.drop(item, "closed");
    if (size > this.maxBytes) return this.drop(item, "overflow-newest");
    if (!this.hasRoom(size)) {
      if (this.overflow === "drop-oldest") {
        while (!this.hasRoom(size)) this.dropOldest();
      } else {
        return this.drop(item, this.overflow === "wait" ? "wait-timeout" : "overflow-newest");
      }
    }
    this.append(item, size);
    return true;
  }

  /** Adds an item, waiting for room up to `waitTimeoutMs` under the "wait" policy. */
  async put(item: T): Promise<boolean> {
    if (this.overflow !== "wait") return this.offer(item);
    const size = this.sizeOf(item);
    const deadline = Date.now() + this.waitTimeoutMs;
    while (!this.closed && size <= this.maxBytes && !this.hasRoom(size) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.roomWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.offer(item);
  }

  /** Takes up to `maxCount` items and about `maxBytes` (always at least one if any), oldest first. */
  takeBatch(maxCount: number, maxBytes = Number.POSITIVE_INFINITY): T[] {
    const batch: T[] = [];
    let bytes = 0;
    while (batch.length < maxCount) {
      const next = this.queue.peek();
      if (!next || (batch.length > 0 && bytes + next.size > maxBytes)) break;
      this.queue.shift();
      this.heldBytes -= next.size;
      bytes += next.size;
      batch.push(next.item);
    }
    if (batch.length > 0) this.wakeRoom();
    return batch;
  }

  /**
   * Returns items (a batch that failed retriably) to the front in their order. If that
   * overfills the buffer, the overflow policy applies as for new items — with "drop-oldest"
   * the oldest, i.e. these, go first — and every drop is counted.
   */
  putBack(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      const size = this.sizeOf(item);
      this.queue.unshift({ item, size });
      this.heldBytes += size;
    }
    while (this.queue.length > this.maxEvents || this.heldBytes > this.maxBytes) {
      if (this.overflow === "drop-oldest") this.dropOldest();
      else {
        const last = this.queue.pop()!;
        this.heldBytes -= last.size;
        this.drop(last.item, this.overflow === "wait" ? "wait-timeout" : "overflow-newest");
      }
    }
    if (items.length > 0) this.wakeItems();
  }

  /** Resolves when the buffer holds something (or is closed). */
  async waitForItems(): Promise<void> {
    if (this.queue.length > 0 || this.closed) return;
    await new Promise<void>((resolve) => this.itemWaiters.push(resolve));
  }

  /** Refuses new items (counted as "closed" drops); returns what was still held, oldest first. */
  close(): T[] {
    this.closed = true;
    const left = this.takeBatch(Number.POSITIVE_INFINITY);
    this.wakeItems();
    this.wakeRoom();
    return left;
  }

  private hasRoom(size: number): boolean {
    return this.queue.length < this.maxEvents && this.heldBytes + size <= this.maxBytes;
  }

  private append(item: T, size: number): void {
    this.queue.push({ item, size });
    this.heldBytes += size;
    this.wakeItems();
  }

  private dropOldest(): void {
    const oldest = this.queue.shift();
    if (!oldest) return;
    this.heldBytes -= oldest.size;
    this.drop(oldest.item, "overflow-oldest");
  }

  private drop(item: T, reason: DropReason): false {
    this.drops[reason]++;
    this.hooks.onDrop?.(item, reason);
    return false;
  }

  private wakeItems(): void {
    const waiters = this.itemWaiters;
    this.itemWaiters = [];
    for (const w of waiters) w();
  }

  private wakeRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}
