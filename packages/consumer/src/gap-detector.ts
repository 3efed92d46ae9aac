// Gap detection on the per-source `sequence` of the envelope (consecutive per controller
// instance): a jump means this consumer will never see some events, and the application
// should reconcile (re-read the topology from the controller's REST API, say). Events of one
// source reach a consumer out of order when they travel in different partitions, so a
// missing sequence is declared a gap only after a later one has waited `reorderWindowMs`
// for it, or when too many later ones pile up. Sequences at or below what was already seen
// are counted as duplicates.
//
// The window alone mistakes a lagging partition for a loss: catching up on a backlog, one
// partition can run thousands of sequences ahead of another for longer than the window (the
// fault scenarios saw 10,624 false gap events after a broker restart, nothing lost). So each
// lane's (partition's, queue's) highest sequence is tracked too: a lane's events of a source
// come in sequence order, so a hole is held while a lane that delivered within `laneIdleMs`
// is still below it — it may yet bring the missing ones — and reported once every such lane
// has been past it for the reorder window (records of a busy key wait inside the consumer, so
// a lane's sequences are seen nearly, not exactly, in its order), or has gone quiet (revoked,
// or no more traffic there), or when `maxPending` later sequences wait. A consumer that reads
// only some of the lanes (one member of a group of several) cannot tell a lost sequence from
// one on another member's lane: it reports both.

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
  /**
   * Later sequences kept per source while waiting (about 80 bytes each); beyond it the oldest
   * hole is reported. While a backlog is read, one partition can run this far ahead of another
   * (a 44k-event backlog over 3 partitions put one more than 10k ahead), so too small a bound
   * reports gaps that are not there. Default 100 000.
   */
  readonly maxPending?: number;
  /**
   * How long a lane (partition, queue) that delivered events of a source may stay silent and
   * still hold a hole open past the reorder window, because it may yet bring the missing
   * sequences: while a backlog is read, a partition can wait seconds for its turn. Also how
   * long after a source's first event holes are held for lanes not heard from yet. Default
   * 30 000.
   */
  readonly laneIdleMs?: number;
}

export type SequenceVerdict = "in-order" | "ahead" | "duplicate";

/**
 * How far one lane has delivered a source's sequences, when it last delivered, and a few
 * dated marks of its highest sequence over the last reorder window (one per quarter window),
 * to tell how far it had got a window ago.
 */
class LaneProgress {
  /** (high, when it was reached), the newest per quarter window; `slot` is when the mark was started. */
  private readonly marks: { high: bigint; at: number; slot: number }[];
  /** When `high` was reached. */
  private highAt: number;

  constructor(
    public high: bigint,
    public at: number,
  ) {
    this.marks = [{ high, at, slot: at }];
    this.highAt = at;
  }

  note(sequence: bigint, now: number, windowMs: number): void {
    this.at = now;
    if (sequence <= this.high) return;
    this.high = sequence;
    this.highAt = now;
    const last = this.marks[this.marks.length - 1]!;
    if (now - last.slot < windowMs / 4) {
      last.high = sequence;
      last.at = now;
    } else this.marks.push({ high: sequence, at: now, slot: now });
    // Only the newest mark at or before the window's start is ever needed.
    while (this.marks.length > 1 && this.marks[1]!.at <= now - windowMs) this.marks.shift();
  }

  /** The highest sequence known to have arrived by `cutoff` (low by at most a quarter window's progress); -1 if none. */
  highAsOf(cutoff: number): bigint {
    if (this.highAt <= cutoff) return this.high;
    let high = -1n;
    for (const mark of this.marks) {
      if (mark.at > cutoff) break;
      high = mark.high;
    }
    return high;
  }
}

class SourceState {
  /** Every sequence up to `low` was seen or reported missing (or is below the baseline). */
  low: bigint;
  readonly lanes = new Map<string, LaneProgress>();
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

  noteLane(lane: string, sequence: bigint, now: number, windowMs: number): void {
    const progress = this.lanes.get(lane);
    if (!progress) this.lanes.set(lane, new LaneProgress(sequence, now));
    else progress.note(sequence, now, windowMs);
  }

  /**
   * True when a lane heard from within `idleMs` had not delivered past `sequence` a whole
   * `windowMs` ago: it may still bring it, or a record of it may still wait inside this
   * consumer (records of a busy key queue behind it, so a lane's sequences are not seen in
   * exactly its order).
   */
  laneBelow(sequence: bigint, now: number, idleMs: number, windowMs: number): boolean {
    for (const progress of this.lanes.values()) {
      if (now - progress.at < idleMs && progress.highAsOf(now - windowMs) < sequence) return true;
    }
    return false;
  }
}

export class GapDetector {
  private readonly sources = new Map<string, SourceState>();
  private readonly reorderWindowMs: number;
  private readonly maxPending: number;
  private readonly laneIdleMs: number;
  private timer: NodeJS.Timeout | undefined;
  gaps = 0;
  duplicates = 0;

  constructor(
    config: GapDetectionConfig,
    private readonly onGap: (gap: GapEvent) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.reorderWindowMs = config.reorderWindowMs ?? 2000;
    this.maxPending = config.maxPending ?? 100_000;
    this.laneIdleMs = config.laneIdleMs ?? 30_000;
  }

  /**
   * Records that `sequence` of `source` arrived on `lane` (the partition or queue: see
   * Position.lane). Sequence 0 means "not set" and is ignored. `redelivery`: the event was
   * handled before (the idempotency store knows its id, e.g. a previous process handled it but
   * did not commit): it fills its place in the sequence, and is never counted as a duplicate.
   */
  observe(source: string, sequence: bigint, lane = "", redelivery = false): SequenceVerdict {
    if (sequence <= 0n) return "in-order";
    // (A sequence below the first one seen is "in-order" during the first window: see warmUp.)
    const state = this.sources.get(source);
    if (!state) {
      // The first event seen sets the baseline: a consumer that starts mid-stream has no gap.
      const first = new SourceState(sequence, this.now());
      first.noteLane(lane, sequence, first.firstAt, this.reorderWindowMs);
      this.sources.set(source, first);
      return "in-order";
    }
    state.noteLane(lane, sequence, this.now(), this.reorderWindowMs);
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
      if (!redelivery) this.duplicates++;
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
      const from = state.low + 1n;
      if (state.pending.size <= this.maxPending) {
        const wait = oldest + this.reorderWindowMs - now;
        if (wait > 0) {
          this.arm(wait);
          return;
        }
        if (this.held(state, from, now)) {
          this.arm(Math.max(this.reorderWindowMs, 100));
          return;
        }
      }
      const next = state.lowestPending();
      const to = next - 1n;
      state.low = to;
      state.advance();
      this.gaps++;
      this.onGap({ source, from, to, missing: to - from + 1n });
    }
  }

  /**
   * True until every active lane has been past the hole starting at `from` for the window.
   * Checked against the hole's bottom first: that spares the scan of the pending sequences for
   * its top while a lagging lane catches up.
   */
  private held(state: SourceState, from: bigint, now: number): boolean {
    // Right after the first event of a source, some lanes have not been heard from at all (a
    // restarted consumer reads every partition from its own committed offset): they may hold
    // the hole too. (A window of 0 says there is one lane.)
    if (this.reorderWindowMs > 0 && now - state.firstAt < this.laneIdleMs) return true;
    const below = (sequence: bigint) => state.laneBelow(sequence, now, this.laneIdleMs, this.reorderWindowMs);
    return below(from) || below(state.lowestPending() - 1n);
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
