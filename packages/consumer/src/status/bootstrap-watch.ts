// When has a status table read everything its destination held when it started? The
// Transport interface has no "end of log" signal, so this uses the best one available:
// - a subscription that offers `caughtUp()` (the Kafka transport: every partition delivered
//   up to its log end at the time of asking). It counts the partitions assigned when asked,
//   so it is asked once the group has assigned them: at the first record, or after
//   `quietMs` without one (an empty destination);
// - the memory transport: the end offset of each partition of the destination at start,
//   compared with the offsets delivered;
// - otherwise (RabbitMQ, any other transport): the first record stamped after the start's
//   millisecond (live traffic has begun, the backlog is behind), or `quietMs` without any
//   record. Clocks matter here: a producer clock ahead of this one makes it early.
import { MemoryTransport, type Position, type Subscription, type Transport } from "@kytos-events/core";

type WithCatchUp = Subscription & Required<Pick<Subscription, "caughtUp">>;

function hasCatchUp(subscription: Subscription): subscription is WithCatchUp {
  return typeof subscription.caughtUp === "function";
}

export type BootstrapSignal = "transport" | "end-offsets" | "quiet-period";

export class BootstrapWatch {
  readonly signal: BootstrapSignal;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  /** Memory transport: the offset each lane must deliver up to (exclusive). */
  private readonly targets = new Map<string, number>();
  private readonly startedAt = Date.now();
  private quietTimer: NodeJS.Timeout | undefined;
  private asked = false;
  private finished = false;

  constructor(
    transport: Transport,
    private readonly subscription: Subscription,
    destination: string,
    private readonly quietMs: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (hasCatchUp(subscription)) {
      this.signal = "transport";
      this.armQuiet(() => this.askTransport());
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
    this.armQuiet(() => this.finish());
  }

  /** A record was applied. */
  delivered(position: Position, timestamp: number): void {
    if (this.finished) return;
    if (this.signal === "transport") {
      this.askTransport();
    } else if (this.signal === "end-offsets") {
      const target = this.targets.get(position.lane);
      if (target !== undefined && position.offset + 1 >= target) {
        this.targets.delete(position.lane);
        if (this.targets.size === 0) this.finish();
      }
    } else if (timestamp > this.startedAt) {
      this.finish();
    } else {
      this.armQuiet(() => this.finish());
    }
  }

  close(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }

  private askTransport(): void {
    if (this.asked) return;
    this.asked = true;
    this.close();
    (this.subscription as WithCatchUp).caughtUp().then(
      () => this.finish(),
      () => {}, // closed before catching up: the table's stop settles ready()
    );
  }

  private armQuiet(then: () => void): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(then, this.quietMs);
    this.quietTimer.unref?.();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.close();
    this.resolveDone();
  }
}
