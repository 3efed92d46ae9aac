// When has a status table read everything its destination held when it started? The
// Transport interface has no "end of log" signal, so this uses the best one available:
// - a subscription that offers `caughtUp()` (the Kafka transport: log end offsets at the
//   time of asking) — used as is;
// - the memory transport: the end offset of each partition of the destination at start,
//   compared with the offsets delivered;
// - otherwise a quiet period: no record for `quietMs` (RabbitMQ, or any other transport).
import { MemoryTransport, type Position, type Subscription, type Transport } from "@kytos-events/core";

interface CatchUpHint {
  caughtUp(): Promise<void>;
}

function hasCatchUp(subscription: Subscription): subscription is Subscription & CatchUpHint {
  return typeof (subscription as Partial<CatchUpHint>).caughtUp === "function";
}

export type BootstrapSignal = "transport" | "end-offsets" | "quiet-period";

export class BootstrapWatch {
  readonly signal: BootstrapSignal;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  /** Memory transport: the offset each lane must deliver up to (exclusive). */
  private readonly targets = new Map<string, number>();
  private quietTimer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    transport: Transport,
    subscription: Subscription,
    destination: string,
    private readonly quietMs: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (hasCatchUp(subscription)) {
      this.signal = "transport";
      subscription.caughtUp().then(
        () => this.finish(),
        () => {}, // closed before catching up: ready() is then settled by the table's stop
      );
      return;
    }
    const topic = transport instanceof MemoryTransport ? transport.broker.topic(destination) : undefined;
    if (topic) {
      this.signal = "end-offsets";
      topic.partitions.forEach((log, partition) => {
        if (log.endOffset > log.startOffset) this.targets.set(`${destination}/${partition}`, log.endOffset);
      });
      if (this.targets.size === 0) this.finish();
      return;
    }
    this.signal = "quiet-period";
    this.armQuiet();
  }

  /** A record was applied. */
  delivered(position: Position): void {
    if (this.finished) return;
    if (this.signal === "quiet-period") {
      this.armQuiet();
    } else if (this.signal === "end-offsets") {
      const target = this.targets.get(position.lane);
      if (target !== undefined && position.offset + 1 >= target) {
        this.targets.delete(position.lane);
        if (this.targets.size === 0) this.finish();
      }
    }
  }

  close(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }

  private armQuiet(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.finish(), this.quietMs);
    this.quietTimer.unref?.();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.close();
    this.resolveDone();
  }
}
