// What `publish` hands back at once, and how it learns later what became of the event. The
// durable promise is made lazily (a controller bridge that never asks for it pays nothing) and
// only ever resolves: a caller that ignores it can never crash on an unhandled rejection.
import type { KytosEventsError } from "@kytos-events/core";

/**
 * What one lane did with an event:
 * - "delivered": the broker acknowledged it durably;
 * - "spooled": written to the lane's disk spool (sent from there when the broker is back,
 *   also after a restart);
 * - "filtered": the lane's filter does not take this event name;
 * - "dropped": the lane's outage buffer was full (`reason`: overflow-oldest, overflow-newest,
 *   spool-full) or the producer closed before it was sent (`reason`: closed);
 * - "failed": the broker refused it for good (too large, no such destination, …: `error`).
 */
export type LaneStatus = "delivered" | "spooled" | "filtered" | "dropped" | "failed";

export interface LaneDelivery {
  readonly lane: string;
  readonly status: LaneStatus;
  /** For "dropped": why. */
  readonly reason?: string;
  /** For "failed": the broker's refusal. */
  readonly error?: KytosEventsError;
}

export interface DeliveryReport {
  /** The envelope id; "" when the event was refused before it got one. */
  readonly id: string;
  /** The envelope sequence; 0n when the event was refused or filtered everywhere (sequences start at 1). */
  readonly sequence: bigint;
  /** True when no lane lost the event: every lane has it delivered, spooled, or filtered it out. */
  readonly ok: boolean;
  /** One entry per lane, in the order the lanes settled. */
  readonly lanes: readonly LaneDelivery[];
  /** Why the event was refused before reaching any lane (unknown event, bad content, closed producer). */
  readonly error?: KytosEventsError;
}

export interface PublishReceipt {
  readonly id: string;
  readonly sequence: bigint;
  /** True when at least one lane took the event (it is buffered, spooled or being sent). */
  readonly accepted: boolean;
  /**
   * Resolves once every lane that took the event has settled it (delivered, spooled, dropped
   * or failed); never rejects.
   */
  readonly durable: Promise<DeliveryReport>;
}

/**
 * The receipt of one event; lanes settle it as the outcome becomes known. One is made per
 * published event, so it holds little: the report is built only if someone asks for `durable`.
 */
export class Receipt implements PublishReceipt {
  private pending: number;
  // Lane outcomes in settlement order: the first one inline (most events go through one lane).
  private first: LaneDelivery | undefined;
  private rest: LaneDelivery[] | undefined;
  private failed = false;
  private promise: Promise<DeliveryReport> | undefined;
  private resolve: ((report: DeliveryReport) => void) | undefined;
  /** Per-lane listeners from `onPublish` hooks; undefined (no cost) without hooks. */
  private watchers:
    | { readonly lane: string; readonly listener: (delivery: LaneDelivery) => void }[]
    | undefined;

  constructor(
    readonly id: string,
    readonly sequence: bigint,
    readonly accepted: boolean,
    pending: number,
    private readonly error?: KytosEventsError,
  ) {
    this.pending = pending;
  }

  get durable(): Promise<DeliveryReport> {
    if (!this.promise) {
      this.promise =
        this.pending === 0
          ? Promise.resolve(this.report())
          : new Promise<DeliveryReport>((resolve) => {
              this.resolve = resolve;
            });
    }
    return this.promise;
  }

  /** True while some lane has not settled the event. */
  get open(): boolean {
    return this.pending > 0;
  }

  /** Records a lane's outcome that is already known when the receipt is made (filtered). */
  note(delivery: LaneDelivery): void {
    this.record(delivery);
  }

  /** Calls `listener` when `lane` settles the event. */
  watch(lane: string, listener: (delivery: LaneDelivery) => void): void {
    this.watchers ??= [];
    this.watchers.push({ lane, listener });
  }

  settle(delivery: LaneDelivery): void {
    if (this.pending === 0) return;
    this.record(delivery);
    if (this.watchers) {
      for (const w of this.watchers) if (w.lane === delivery.lane) w.listener(delivery);
    }
    if (delivery.status === "dropped" || delivery.status === "failed") this.failed = true;
    if (--this.pending === 0 && this.resolve) {
      this.resolve(this.report());
      this.resolve = undefined;
    }
  }

  private record(delivery: LaneDelivery): void {
    if (this.first === undefined) this.first = delivery;
    else if (this.rest === undefined) this.rest = [delivery];
    else this.rest.push(delivery);
  }

  private report(): DeliveryReport {
    const lanes = this.first === undefined ? [] : [this.first, ...(this.rest ?? [])];
    return {
      id: this.id,
      sequence: this.sequence,
      ok: !this.failed && this.error === undefined,
      lanes,
      ...(this.error ? { error: this.error } : {}),
    };
  }
}
