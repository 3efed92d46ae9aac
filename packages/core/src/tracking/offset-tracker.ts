// Settlement can finish out of order (concurrent handlers, retries), but a broker position is
// a single number per lane: committing it says "everything before is done". The tracker keeps,
// per lane, the delivered offsets in order and yields the contiguous watermark — the highest
// offset with every tracked offset at or below it settled — so a commit never skips a record
// that is still being handled.

interface Entry {
  readonly offset: number;
  done: boolean;
}

class LaneState {
  // Pending entries in delivery order; `head` avoids Array.shift on the hot path.
  private entries: Entry[] = [];
  private head = 0;
  private readonly byOffset = new Map<number, Entry>();
  watermark: number | undefined;
  unsettled = 0;

  track(offset: number): void {
    const last = this.entries[this.entries.length - 1];
    const floor = last?.offset ?? this.watermark;
    if (floor !== undefined && offset <= floor) {
      throw new RangeError(
        `offset ${offset} is not after ${floor}: offsets must be tracked in delivery order`,
      );
    }
    const entry = { offset, done: false };
    this.entries.push(entry);
    this.byOffset.set(offset, entry);
    this.unsettled++;
  }

  complete(offset: number): boolean {
    const entry = this.byOffset.get(offset);
    if (!entry || entry.done) return false;
    entry.done = true;
    this.unsettled--;
    let advanced = false;
    while (this.head < this.entries.length && this.entries[this.head]!.done) {
      const e = this.entries[this.head++]!;
      this.byOffset.delete(e.offset);
      this.watermark = e.offset;
      advanced = true;
    }
    if (this.head === this.entries.length) {
      // Drained: the common case when handlers keep up, and it costs nothing to start over.
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return advanced;
  }

  isTracked(offset: number): boolean {
    return this.byOffset.has(offset);
  }
}

export class OffsetTracker {
  private readonly lanes = new Map<string, LaneState>();

  private lane(lane: string): LaneState {
    let state = this.lanes.get(lane);
    if (!state) {
      state = new LaneState();
      this.lanes.set(lane, state);
    }
    return state;
  }

  /** Records that `offset` was delivered on `lane`; offsets must increase per lane. */
  track(lane: string, offset: number): void {
    this.lane(lane).track(offset);
  }

  /**
   * Marks a tracked offset settled. Returns true when the lane's watermark moved (time to
   * commit). Unknown or already-settled offsets (e.g. of a revoked lane) return false.
   */
  complete(lane: string, offset: number): boolean {
    return this.lanes.get(lane)?.complete(offset) ?? false;
  }

  /** True while `offset` was tracked on `lane` and is not yet below the watermark. */
  isTracked(lane: string, offset: number): boolean {
    return this.lanes.get(lane)?.isTracked(offset) ?? false;
  }

  /** The highest offset such that every tracked offset up to it is settled; undefined if none. */
  committable(lane: string): number | undefined {
    return this.lanes.get(lane)?.watermark;
  }

  /** Delivered but not settled on `lane` (or on every lane). */
  unsettled(lane?: string): number {
    if (lane !== undefined) return this.lanes.get(lane)?.unsettled ?? 0;
    let n = 0;
    for (const state of this.lanes.values()) n += state.unsettled;
    return n;
  }

  /** Forgets a lane (revoked on rebalance, closed); returns how many records were unsettled. */
  revoke(lane: string): number {
    const n = this.lanes.get(lane)?.unsettled ?? 0;
    this.lanes.delete(lane);
    return n;
  }

  lanesTracked(): IterableIterator<string> {
    return this.lanes.keys();
  }
}
