// "Has this subscriber delivered everything its partitions held when it asked?" — the signal a
// consumer needs after reading a compacted topic from the beginning to build a table (link
// status): before it, the table is partial; after it, it is the latest state as of that moment.
// Each partition has a target (its log end when asked); the subscription reports how far it
// has delivered, and a partition that moves to another group member stops counting.

export class CatchUp {
  private readonly targets = new Map<string, number>();
  private resolveDone!: () => void;
  /** Resolves once every targeted partition was delivered up to its target. */
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  /**
   * @param ends log end offset per lane at the time of asking
   * @param positions the next offset each lane will deliver
   */
  constructor(ends: ReadonlyMap<string, number>, positions: (lane: string) => number) {
    for (const [lane, end] of ends) {
      if (positions(lane) < end) this.targets.set(lane, end);
    }
    this.check();
  }

  /** True when `cancel()` ended the wait before every lane caught up. */
  cancelled = false;

  /** Lanes still behind their target. */
  get behind(): number {
    return this.targets.size;
  }

  /** The subscriber is going away: stop waiting (a no-op once caught up). */
  cancel(): void {
    if (this.targets.size === 0) return;
    this.cancelled = true;
    this.targets.clear();
    this.check();
  }

  /** The lane delivered every offset below `next`. */
  advance(lane: string, next: number): void {
    const target = this.targets.get(lane);
    if (target === undefined || next < target) return;
    this.targets.delete(lane);
    this.check();
  }

  /** The lane left this subscriber (rebalance, close): its records are another member's now. */
  revoke(lane: string): void {
    if (this.targets.delete(lane)) this.check();
  }

  private check(): void {
    if (this.targets.size === 0) this.resolveDone();
  }
}
