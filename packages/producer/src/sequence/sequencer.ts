// Hands out the producer's per-source sequence numbers, reserving blocks in the optional store
// ahead of use (see SequenceStore) and saving the exact last number on close.
import { ErrorCode, KytosEventsError, SequenceCounter } from "@kytos-events/core";
import type { SequenceStore } from "./sequence-store.js";

export class Sequencer {
  private readonly counter: SequenceCounter;
  private reserved: bigint;

  constructor(
    private readonly source: string,
    private readonly store: SequenceStore | undefined,
    private readonly onProblem: (error: KytosEventsError) => void = () => {},
  ) {
    const last = store?.load(source) ?? 0n;
    this.counter = new SequenceCounter(last);
    this.reserved = last;
  }

  /** The number the next event will get (not yet taken). */
  get upcoming(): bigint {
    return this.counter.last + 1n;
  }

  /** Takes the upcoming number. */
  take(): bigint {
    const next = this.counter.next();
    if (this.store && next > this.reserved) {
      this.reserved = next + BigInt(this.store.reserveAhead) - 1n;
      this.save(this.reserved);
    }
    return next;
  }

  /** Saves the exact last number used, so a clean restart continues without a jump. */
  close(): void {
    if (this.store && this.reserved !== this.counter.last) {
      this.save(this.counter.last);
      this.reserved = this.counter.last;
    }
  }

  // A store that cannot save must not make publish throw: numbering goes on, and the problem
  // is reported (after a crash the next run could then reuse numbers).
  private save(last: bigint): void {
    try {
      this.store!.save(this.source, last);
    } catch (err) {
      this.onProblem(
        new KytosEventsError(
          ErrorCode.StoreUnavailable,
          `sequence store could not save ${last} for "${this.source}": ${(err as Error).message}. ` +
            "Numbering continues; after a crash numbers could be reused until it can save again.",
          { cause: err },
        ),
      );
    }
  }
}
