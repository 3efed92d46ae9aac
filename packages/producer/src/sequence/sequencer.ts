// Hands out the producer's per-source sequence numbers, reserving blocks in the optional store
// ahead of use (see SequenceStore) and saving the exact last number on close.
import { SequenceCounter } from "@kytos-events/core";
import type { SequenceStore } from "./sequence-store.js";

export class Sequencer {
  private readonly counter: SequenceCounter;
  private reserved: bigint;

  constructor(
    private readonly source: string,
    private readonly store: SequenceStore | undefined,
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
      this.store.save(this.source, this.reserved);
    }
    return next;
  }

  /** Saves the exact last number used, so a clean restart continues without a jump. */
  close(): void {
    if (this.store && this.reserved !== this.counter.last) {
      this.store.save(this.source, this.counter.last);
      this.reserved = this.counter.last;
    }
  }
}
