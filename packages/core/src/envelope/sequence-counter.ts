// Per-source sequence numbers: consecutive, so a consumer seeing 41 then 43 knows it missed
// 42 and can reconcile. The start is injectable so a producer can persist the last value and
// continue after a restart instead of resetting (which a consumer would read as a reset, not a gap).

export class SequenceCounter {
  private value: bigint;

  /** `last` is the last sequence already used (0n for a fresh source: the first is 1n). */
  constructor(last: bigint = 0n) {
    if (last < 0n) throw new RangeError(`sequence must be >= 0, got ${last}`);
    this.value = last;
  }

  next(): bigint {
    this.value += 1n;
    return this.value;
  }

  /** The last sequence handed out. */
  get last(): bigint {
    return this.value;
  }
}
