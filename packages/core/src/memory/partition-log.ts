// One partition of an in-memory topic: an append-only log with offsets, bounded retention
// (oldest records trimmed and counted, as a broker's retention would) and, for compacted
// topics, compaction on append — an older record with the same key disappears as soon as a
// newer one is written, leaving an offset hole readers skip.

export interface StoredRecord {
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

export class PartitionLog {
  private slots: (StoredRecord | undefined)[] = [];
  private head = 0;
  /** Offset of slots[head]. */
  private base = 0;
  private readonly latestByKey = new Map<string, number>();
  /** Records removed by retention. */
  trimmed = 0;
  /** Records removed by compaction. */
  compactedAway = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly compacted: boolean,
  ) {}

  /** The offset the next append gets. */
  get endOffset(): number {
    return this.base + (this.slots.length - this.head);
  }

  /** The first offset still retained. */
  get startOffset(): number {
    return this.base;
  }

  /** Records currently readable (compaction holes excluded). */
  get size(): number {
    let n = 0;
    for (let i = this.head; i < this.slots.length; i++) if (this.slots[i]) n++;
    return n;
  }

  append(
    key: string | undefined,
    value: Uint8Array,
    headers: Readonly<Record<string, string>>,
    timestamp: number,
  ): number {
    const offset = this.endOffset;
    this.slots.push({ offset, key, value, headers, timestamp });
    if (this.compacted && key !== undefined) {
      const previous = this.latestByKey.get(key);
      if (previous !== undefined && previous >= this.base) {
        const index = this.head + (previous - this.base);
        if (this.slots[index]) {
          this.slots[index] = undefined;
          this.compactedAway++;
        }
      }
      this.latestByKey.set(key, offset);
    }
    while (this.slots.length - this.head > this.maxRecords) {
      const dropped = this.slots[this.head];
      if (dropped) {
        this.trimmed++;
        if (dropped.key !== undefined && this.latestByKey.get(dropped.key) === dropped.offset) {
          this.latestByKey.delete(dropped.key);
        }
      }
      this.slots[this.head] = undefined;
      this.head++;
      this.base++;
    }
    if (this.head > 4096 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    return offset;
  }

  /** The first readable record at or after `offset`, if any. */
  next(offset: number): StoredRecord | undefined {
    for (let o = Math.max(offset, this.base); o < this.endOffset; o++) {
      const record = this.slots[this.head + (o - this.base)];
      if (record) return record;
    }
    return undefined;
  }

  *records(): IterableIterator<StoredRecord> {
    for (let i = this.head; i < this.slots.length; i++) {
      const record = this.slots[i];
      if (record) yield record;
    }
  }
}
