// Gap detection on the per-source `sequence` of the envelope (consecutive per controller
// instance): a jump means this consumer will never see some events, and the application
// should reconcile (re-read the topology from the controller's REST API, say). Events of one
// source reach a consumer out of order when they travel in different partitions, so a
// missing sequence is declared a gap only after a later one has waited `reorderWindowMs`
// for it, or when too many later ones pile up. Sequences at or below what was already seen
// are counted as duplicates.

/** The `gap` event: sequences `from`..`to` (inclusive) of `source` never arrived. */
export interface GapEvent {
  readonly source: string;
  readonly from: bigint;
  readonly to: bigint;
  /** How many events are missing: to - from + 1. */
  readonly missing: bigint;
}

export interface GapDetectionConfig {
  /**
   * How long a missing sequence may still arrive after a later one did, ms. 0 reports a jump
   * at once (right for a single partition or queue). Default 2000.
   */
  readonly reorderWindowMs?: number;
  /** Later sequences kept per source while waiting; beyond it the oldest hole is reported. Default 10 000. */
  readonly maxPending?: number;
}

export type SequenceVerdict = "in-order" | "ahead" | "duplicate";

class SourceState {
  /** Every sequence up to `low` was seen or reported missing (or is below the baseline). */
  low: bigint;
  /** Sequences above `low + 1` seen so far, with when; Map order = arrival order. */
  readonly pending = new Map<bigint, number>();
  /**
   * During the first reorder window the baseline is not settled: sequences below it still
   * arrive from other partitions. Those seen are kept here to tell them from true repeats.
   */
  warmUp: Set<bigint> | undefined;

  constructor(
    first: bigint,
    readonly firstAt: number,
  ) {
    this.low = first;
    this.warmUp = new Set([first]);
  }

  advance(): void {
    while (this.pending.delete(this.low + 1n)) this.low++;
  }

  lowestPending(): bigint {
    let min: bigint | undefined;
    for (const seq of this.pending.keys()) if (min === undefined || seq < min) min = seq;
    return min!;
  }

  oldestSeenAt(): number | undefined {
    for (const at of this.pending.values()) return at;
    return undefined;
  }
}

export class GapDetector {
  private readonly sources = new Map<string, SourceState>();
  private readonly reorderWindowMs: number;
  private readonly maxPending: number;
  private timer: NodeJS.Timeout | undefined;
  gaps = 0;
  duplicates = 0;

  constructor(
    config: GapDetectionConfig,
    private readonly onGap: (gap: GapEvent) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.reorderWindowMs = config.reorderWindowMs ?? 2000;
    this.maxPending = config.maxPending ?? 10_000;
  }

  /** Records that `sequence` of `source` arrived. Sequence 0 means "not set" and is ignored. */
  observe(source: string, sequence: bigint): SequenceVerdict {
    if (sequence <= 0n) return "in-order";
    // (A sequence below the first one seen is "in-order" during the first window: see warmUp.)
    const state = this.sources.get(source);
    if (!state) {
      // The first event seen sets the baseline: a consumer that starts mid-stream has no gap.
      this.sources.set(source, new SourceState(sequence, this.now()));
      return "in-order";
    }
    if (
      state.warmUp &&
      (this.now() - state.firstAt >= this.reorderWindowMs || state.warmUp.size > this.maxPending)
    ) {
      state.warmUp = undefined;
    }
    if (sequence <= state.low && state.warmUp && !state.warmUp.has(sequence)) {
      // An earlier event from another partition, still within the first window: not a repeat.
      state.warmUp.add(sequence);
      return "in-order";
    }
    if (sequence <= state.low || state.pending.has(sequence)) {
      this.duplicates++;
      return "duplicate";
    }
    if (sequence === state.low + 1n) {
      state.warmUp?.add(sequence);
      state.low = sequence;
      state.advance();
      return "in-order";
    }
    state.pending.set(sequence, this.now());
    state.warmUp?.add(sequence);
    this.settle(source, state);
    return "ahead";
  }

  /** Reports every hole whose wait is over (also runs on its own timer). */
  check(): void {
    for (const [source, state] of this.sources) this.settle(source, state);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(source: string, state: SourceState): void {
    const now = this.now();
    for (;;) {
      const oldest = state.oldestSeenAt();
      if (oldest === undefined) return;
      const overdue = now - oldest >= this.reorderWindowMs || state.pending.size > this.maxPending;
      if (!overdue) {
        this.arm(oldest + this.reorderWindowMs - now);
        return;
      }
      const next = state.lowestPending();
      const from = state.low + 1n;
      const to = next - 1n;
      state.low = to;
      state.advance();
      this.gaps++;
      this.onGap({ source, from, to, missing: to - from + 1n });
    }
  }

  private arm(inMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.check();
      },
      Math.max(1, inMs),
    );
    this.timer.unref?.();
  }
}
