// One partition of an in-memory topic: an append-only log with offsets, bounded retention
// (the oldest readable records trimmed and counted past a limit, as a broker's retention
// would) and, for compacted topics, compaction on append: when a record is written, the
// previous record with the same key is removed at once, leaving an offset hole readers skip.
// So a reader from the beginning sees exactly the latest record of every key, and memory
// stays proportional to the readable records, however often keys are rewritten.

export interface StoredRecord {
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

// Holes are reclaimed once there are more of them than readable records (and at least this many).
const RECLAIM_HOLES = 1024;
// The consumed prefix of the arrays is dropped once it is this long and over half of them.
const RECLAIM_HEAD = 4096;

export class PartitionLog {
  // Parallel arrays from `head` on: offsets ascending, and each record, undefined once
  // compacted away. A dense log (no compaction) has offsets[i] = offsets[head] + (i - head).
  private offsets: number[] = [];
  private slots: (StoredRecord | undefined)[] = [];
  private head = 0;
  private holes = 0;
  private nextOffset = 0;
  private readonly latestByKey = new Map<string, number>();
  private live = 0;
  private trimmedCount = 0;
  private compactedCount = 0;

  /** `maxRecords` bounds the readable records; `compacted` keeps only the latest per key. */
  constructor(
    private readonly maxRecords: number,
    private readonly compacted: boolean,
  ) {}

  /** The offset the next append gets. */
  get endOffset(): number {
    return this.nextOffset;
  }

  /** The first offset still readable (the end offset when the log is empty). */
  get startOffset(): number {
    return this.head < this.offsets.length ? this.offsets[this.head]! : this.nextOffset;
  }

  /** Records currently readable. */
  get size(): number {
    return this.live;
  }

  /** Records removed by retention (the oldest, past `maxRecords`), whether or not anyone read them. */
  get trimmed(): number {
    return this.trimmedCount;
  }

  /** Records removed by compaction (superseded by a newer record with the same key). */
  get compactedAway(): number {
    return this.compactedCount;
  }

  append(
    key: string | undefined,
    value: Uint8Array,
    headers: Readonly<Record<string, string>>,
    timestamp: number,
  ): number {
    const offset = this.nextOffset++;
    this.offsets.push(offset);
    this.slots.push({ offset, key, value, headers, timestamp });
    this.live++;
    if (this.compacted && key !== undefined) {
      const previous = this.latestByKey.get(key);
      this.latestByKey.set(key, offset);
      if (previous !== undefined) this.compactAway(previous);
    }
    while (this.live > this.maxRecords) this.trimOldest();
    this.skipLeadingHoles();
    this.reclaim();
    return offset;
  }

  /** The first readable record at or after `offset`, if any. */
  next(offset: number): StoredRecord | undefined {
    for (let i = this.indexOf(offset); i < this.slots.length; i++) {
      const record = this.slots[i];
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

  /** The lowest index at or after `head` whose offset is >= `offset`. */
  private indexOf(offset: number): number {
    const first = this.offsets[this.head];
    if (first === undefined || offset <= first) return this.head;
    const dense = this.head + (offset - first);
    if (dense < this.offsets.length && this.offsets[dense] === offset) return dense;
    let lo = this.head;
    let hi = this.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compactAway(offset: number): void {
    const i = this.indexOf(offset);
    if (this.offsets[i] !== offset || this.slots[i] === undefined) return; // already trimmed
    this.slots[i] = undefined;
    this.holes++;
    this.live--;
    this.compactedCount++;
  }

  private trimOldest(): void {
    this.skipLeadingHoles();
    const dropped = this.slots[this.head]!;
    this.slots[this.head] = undefined;
    this.head++;
    this.live--;
    this.trimmedCount++;
    if (dropped.key !== undefined && this.latestByKey.get(dropped.key) === dropped.offset) {
      this.latestByKey.delete(dropped.key);
    }
  }

  private skipLeadingHoles(): void {
    while (this.head < this.slots.length && this.slots[this.head] === undefined) {
      this.head++;
      this.holes--;
    }
  }

  // Amortised O(1): each rebuild copies at most as many entries as were consumed or removed since the last.
  private reclaim(): void {
    if (this.holes > RECLAIM_HOLES && this.holes > this.live) {
      const offsets: number[] = [];
      const slots: StoredRecord[] = [];
      for (let i = this.head; i < this.slots.length; i++) {
        const record = this.slots[i];
        if (record) {
          offsets.push(record.offset);
          slots.push(record);
        }
      }
      this.offsets = offsets;
      this.slots = slots;
      this.head = 0;
      this.holes = 0;
    } else if (this.head > RECLAIM_HEAD && this.head * 2 > this.slots.length) {
      this.offsets = this.offsets.slice(this.head);
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }
}
