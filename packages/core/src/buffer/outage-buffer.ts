// Where events wait while a broker is away: a FIFO bounded by event count and by bytes. When
// full, the configured policy decides who loses — and every loss is counted by reason and
// reported (onDrop, metrics), never silent. Batches a transport rejected as retriable go back
// to the front, so order survives retries.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import { type MetricLabels, MetricName, type Metrics, noopMetrics } from "../metrics/metrics.js";
import { Deque } from "./deque.js";

export type OverflowPolicy = "drop-oldest" | "drop-newest" | "wait";

/**
 * Why an event was dropped: "overflow-oldest" (pushed out by a newer one), "overflow-newest"
 * (refused: no room, or larger than maxBytes, or the wait line full), "wait-timeout" (waited
 * waitTimeoutMs for room in vain), "closed" (offered after close()).
 */
export type DropReason = "overflow-oldest" | "overflow-newest" | "wait-timeout" | "closed";

export interface OutageBufferConfig {
  /** Most events held. Default 10 000. */
  readonly maxEvents?: number;
  /** Most bytes held (sum of item sizes); an event larger than this is refused. Default 64 MiB. */
  readonly maxBytes?: number;
  /**
   * When full: "drop-oldest" (default: while a broker is away the newest state matters most),
   * "drop-newest" (keep the history, refuse new events), or "wait": `put` waits for room up to
   * `waitTimeoutMs`, then drops the event as "wait-timeout" (it never rejects: publishing must
   * not throw). Waiting events keep their order, and later puts queue behind them. At most
   * `maxEvents` events wait; beyond that a put is refused at once ("overflow-newest").
   */
  readonly overflow?: OverflowPolicy;
  /** Deadline for "wait", ms. Default 1000. */
  readonly waitTimeoutMs?: number;
}

export interface OutageBufferHooks<T> {
  /** Called for every dropped item, with why; the buffer no longer holds it. */
  readonly onDrop?: (item: T, reason: DropReason) => void;
  /** Receives Dropped (label `reason`), BufferDepth and BufferBytes. Default: none. */
  readonly metrics?: Metrics;
  /** Added to every metric, e.g. `{ lane: "main" }`. */
  readonly labels?: MetricLabels;
}

interface Entry<T> {
  readonly item: T;
  readonly size: number;
}

interface Waiter<T> extends Entry<T> {
  done: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(admitted: boolean): void;
}

const POLICIES: readonly OverflowPolicy[] = ["drop-oldest", "drop-newest", "wait"];
const MAX_TIMER_MS = 2_147_483_647;

export class OutageBuffer<T> {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
  readonly waitTimeoutMs: number;
  private readonly queue = new Deque<Entry<T>>();
  private readonly waiters = new Deque<Waiter<T>>();
  private waiting = 0;
  private heldBytes = 0;
  private readonly drops: Record<DropReason, number> = {
    "overflow-oldest": 0,
    "overflow-newest": 0,
    "wait-timeout": 0,
    closed: 0,
  };
  private readonly itemWaiters = new Set<() => void>();
  private closed = false;
  private readonly metrics: Metrics;
  private readonly labels: MetricLabels;
  private readonly dropLabels: Record<DropReason, MetricLabels>;

  /** @throws KytosEventsError KE_CONFIG_INVALID naming the setting that is out of range. */
  constructor(
    config: OutageBufferConfig,
    private readonly sizeOf: (item: T) => number,
    private readonly hooks: OutageBufferHooks<T> = {},
  ) {
    this.maxEvents = config.maxEvents ?? 10_000;
    this.maxBytes = config.maxBytes ?? 64 * 1024 * 1024;
    this.overflow = config.overflow ?? "drop-oldest";
    this.waitTimeoutMs = config.waitTimeoutMs ?? 1000;
    const bad = (m: string) =>
      new KytosEventsError(ErrorCode.ConfigInvalid, `outage buffer: ${m}; fix the buffer settings.`);
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 1)
      throw bad(`maxEvents must be a positive integer, got ${this.maxEvents}`);
    if (!(this.maxBytes >= 1)) throw bad(`maxBytes must be positive, got ${this.maxBytes}`);
    if (!POLICIES.includes(this.overflow)) {
      throw bad(`overflow must be drop-oldest, drop-newest or wait, got "${this.overflow}"`);
    }
    if (!(this.waitTimeoutMs >= 0 && this.waitTimeoutMs <= MAX_TIMER_MS))
      throw bad(`waitTimeoutMs must be between 0 and ${MAX_TIMER_MS}, got ${this.waitTimeoutMs}`);
    this.metrics = hooks.metrics ?? noopMetrics;
    this.labels = hooks.labels ?? {};
    const labelled = (reason: DropReason) => ({ ...this.labels, reason });
    this.dropLabels = {
      "overflow-oldest": labelled("overflow-oldest"),
      "overflow-newest": labelled("overflow-newest"),
      "wait-timeout": labelled("wait-timeout"),
      closed: labelled("closed"),
    };
  }

  /** Events held (not counting those waiting for room). */
  get size(): number {
    return this.queue.length;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** Events waiting for room under the "wait" policy. */
  get waitingCount(): number {
    return this.waiting;
  }

  /** Drops so far, by reason. */
  get dropped(): Readonly<Record<DropReason, number>> {
    return this.drops;
  }

  get totalDropped(): number {
    const d = this.drops;
    return d["overflow-oldest"] + d["overflow-newest"] + d["wait-timeout"] + d.closed;
  }

  /**
   * Adds an item without waiting, applying the policy when full ("wait" never waits here: a
   * full buffer, or events already waiting, refuse it as "overflow-newest"). Returns false
   * when the item itself was dropped.
   */
  offer(item: T): boolean {
    const size = this.sizeOf(item);
    const refused = this.refusal(size);
    if (refused) return this.drop(item, refused);
    if (this.waiting === 0 && this.hasRoom(size)) return this.admit(item, size);
    if (this.overflow === "drop-oldest") {
      while (!this.hasRoom(size)) this.dropOldest();
      return this.admit(item, size);
    }
    return this.drop(item, "overflow-newest");
  }

  /**
   * Adds an item; under "wait", waits for room up to `waitTimeoutMs`. Resolves true when the
   * item was admitted, false when it was dropped (counted, reported) or handed back by close().
   * Never rejects.
   */
  put(item: T): Promise<boolean> {
    if (this.overflow !== "wait") return Promise.resolve(this.offer(item));
    const size = this.sizeOf(item);
    const refused = this.refusal(size);
    if (refused) return Promise.resolve(this.drop(item, refused));
    if (this.waiting === 0 && this.hasRoom(size)) return Promise.resolve(this.admit(item, size));
    if (this.waitTimeoutMs === 0) return Promise.resolve(this.drop(item, "wait-timeout"));
    if (this.waiting >= this.maxEvents) return Promise.resolve(this.drop(item, "overflow-newest"));
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter<T> = { item, size, done: false, timer: undefined, resolve };
      waiter.timer = setTimeout(() => this.expire(waiter), this.waitTimeoutMs);
      this.waiters.push(waiter);
      this.waiting++;
    });
  }

  /** Takes up to `maxCount` items and `maxBytes` (always one if any), oldest first. */
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
    if (batch.length > 0) {
      this.admitWaiters();
      this.report();
    }
    return batch;
  }

  /**
   * Returns items (a batch that failed retriably) to the front in their order. If new items
   * filled the room meanwhile, the policy picks the losers as for new items: "drop-oldest"
   * drops from the front (these items first), the others drop from the back (the newest).
   * Every drop is counted.
   */
  putBack(items: readonly T[]): void {
    if (items.length === 0) return;
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
        this.drop(last.item, "overflow-newest");
      }
    }
    this.report();
    this.wakeItems();
  }

  /** Resolves when the buffer holds something, or is closed, or `signal` aborts (a pump stopping). */
  waitForItems(signal?: AbortSignal): Promise<void> {
    if (this.queue.length > 0 || this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.itemWaiters.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      this.itemWaiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  /**
   * Refuses new items from now on (counted as "closed" drops) and hands back every item it
   * still had, oldest first, including those waiting for room (their `put` resolves false).
   */
  close(): T[] {
    this.closed = true;
    const left = this.takeBatch(Number.POSITIVE_INFINITY);
    for (let w = this.waiters.shift(); w; w = this.waiters.shift()) {
      if (w.done) continue;
      this.settle(w);
      left.push(w.item);
      w.resolve(false);
    }
    this.report();
    this.wakeItems();
    return left;
  }

  private refusal(size: number): DropReason | undefined {
    if (this.closed) return "closed";
    if (size > this.maxBytes) return "overflow-newest";
    return undefined;
  }

  private hasRoom(size: number): boolean {
    return this.queue.length < this.maxEvents && this.heldBytes + size <= this.maxBytes;
  }

  private admit(item: T, size: number): true {
    this.queue.push({ item, size });
    this.heldBytes += size;
    this.report();
    this.wakeItems();
    return true;
  }

  // Waiters enter strictly in arrival order: the head blocks those behind it until it fits.
  private admitWaiters(): void {
    if (this.closed) return;
    for (let w = this.waiters.peek(); w; w = this.waiters.peek()) {
      if (!w.done && !this.hasRoom(w.size)) return;
      this.waiters.shift();
      if (w.done) continue;
      this.settle(w);
      this.admit(w.item, w.size);
      w.resolve(true);
    }
  }

  private expire(waiter: Waiter<T>): void {
    if (waiter.done) return;
    this.settle(waiter);
    this.drop(waiter.item, "wait-timeout");
    waiter.resolve(false);
    // Every waiter has the same timeout, so expiries happen at the head, where admitWaiters
    // discards them: the wait line's memory stays bounded even when nothing is ever taken (a
    // long outage). And the expired head may have been blocking smaller events that fit now.
    this.admitWaiters();
  }

  private settle(waiter: Waiter<T>): void {
    waiter.done = true;
    clearTimeout(waiter.timer);
    this.waiting--;
  }

  private dropOldest(): void {
    const oldest = this.queue.shift();
    if (!oldest) return;
    this.heldBytes -= oldest.size;
    this.drop(oldest.item, "overflow-oldest");
  }

  private drop(item: T, reason: DropReason): false {
    this.drops[reason]++;
    this.metrics.count(MetricName.Dropped, 1, this.dropLabels[reason]);
    this.hooks.onDrop?.(item, reason);
    return false;
  }

  private report(): void {
    this.metrics.gauge(MetricName.BufferDepth, this.queue.length, this.labels);
    this.metrics.gauge(MetricName.BufferBytes, this.heldBytes, this.labels);
  }

  private wakeItems(): void {
    if (this.itemWaiters.size === 0) return;
    for (const wake of [...this.itemWaiters]) wake();
  }
}
