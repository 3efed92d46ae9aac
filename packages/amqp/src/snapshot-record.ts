// A record from a compacted destination's last-value queues, delivered first to a group that
// subscribes `fromBeginning` with no queue yet: the state the group would have found in a
// compacted history. The value stays in its last-value queue whatever happens here, so
// acking has nothing to do on the broker; retry hands it back to the subscription after the
// delay, and dead-lettering publishes a confirmed copy like any record.
import type { InboundRecord, Position, RetryOptions } from "@kytos-events/core";
import type { LastValue } from "./last-value.js";

export interface SnapshotSettlement {
  retry(record: SnapshotRecord, delayMs: number): Promise<void>;
  deadLetter(record: SnapshotRecord, reason: string): Promise<void>;
}

export class SnapshotRecord implements InboundRecord {
  private settlement: Promise<void> | undefined;
  readonly key: string;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;

  constructor(
    private readonly settle: SnapshotSettlement,
    readonly lastValue: LastValue,
    /** The group queue the snapshot stands in front of. */
    readonly queue: string,
    readonly position: Position,
    readonly attempt: number,
  ) {
    this.key = lastValue.key;
    this.value = lastValue.value;
    this.headers = lastValue.headers;
    this.timestamp = lastValue.timestamp;
  }

  get destination(): string {
    return this.lastValue.destination;
  }

  ack(): Promise<void> {
    this.settlement ??= Promise.resolve();
    return this.settlement;
  }

  retry(options: RetryOptions = {}): Promise<void> {
    this.settlement ??= this.settle.retry(this, options.delayMs ?? 0);
    return this.settlement;
  }

  deadLetter(reason: string): Promise<void> {
    this.settlement ??= this.settle.deadLetter(this, reason);
    return this.settlement;
  }
}
