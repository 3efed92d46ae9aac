// Consumer lag of a RabbitMQ subscription, per queue: RabbitMQ has no offsets, so the lag is
// what the broker still holds ready in the group's queue (`checkQueue`'s message count) plus
// what this subscriber was delivered and has not settled yet. The broker pushes no counts, so
// the ready count is asked on a timer, on a short-lived channel so a missing queue cannot
// close the consumer's; between two measurements each delivery and settlement updates the
// gauge (ready minus deliveries since the measurement), so it reaches 0 as soon as the last
// message is handled rather than a round later. Messages published since the last
// measurement show at the next. The timer is unref'ed: it never keeps a process alive.
// Reported as partition "0".
import { type Logger, type MetricLabels, MetricName, type Metrics } from "@kytos-events/core";
import type { ChannelModel } from "amqplib";
import { declare } from "./topology.js";

export interface LaggingQueue {
  readonly queue: string;
  readonly destination: string;
}

export interface QueueLagOptions {
  readonly metrics: Metrics;
  readonly intervalMs: number;
  readonly queues: readonly LaggingQueue[];
  /** The live connection, or undefined while it is down (then this round is skipped). */
  readonly model: () => Promise<ChannelModel | undefined>;
  /** Delivered to this subscriber from `queue` and not settled yet. */
  readonly unsettled: (queue: string) => number;
  readonly logger: Logger;
}

interface QueueState {
  readonly labels: MetricLabels;
  /** Ready messages at the last measurement; undefined before the first. */
  ready: number | undefined;
  /** Deliveries to this subscriber since that measurement was asked for: they left the ready count. */
  deliveredSince: number;
}

export class QueueLag {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  private readonly queues: ReadonlyMap<string, QueueState>;

  constructor(private readonly options: QueueLagOptions) {
    this.queues = new Map(
      options.queues.map((q) => [
        q.queue,
        { labels: { destination: q.destination, partition: "0" }, ready: undefined, deliveredSince: 0 },
      ]),
    );
  }

  /** Measures once now, then every `intervalMs` until `stop()`. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  /** A message of `queue` was delivered to this subscriber. */
  delivered(queue: string): void {
    const state = this.queues.get(queue);
    if (!state) return;
    state.deliveredSince++;
    this.report(queue, state);
  }

  /** A message of `queue` was settled (acked, retried or dead-lettered) by this subscriber. */
  settled(queue: string): void {
    const state = this.queues.get(queue);
    if (state) this.report(queue, state);
  }

  /** No further measurement; the queues report 0 lag from this subscriber. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const state of this.queues.values())
      this.options.metrics.gauge(MetricName.ConsumerLag, 0, state.labels);
  }

  private async poll(): Promise<void> {
    // A slow broker answer never piles rounds up.
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const model = await this.options.model();
      if (!model || this.stopped) return;
      // Deliveries while the broker answers may or may not be in its count: counting them as
      // after the measurement errs low for at most one round, never leaves a stale backlog.
      const before = new Map([...this.queues].map(([queue, state]) => [queue, state.deliveredSince]));
      const ready = await declare(model, async (ch) => {
        const counts = new Map<string, number>();
        for (const q of this.options.queues) counts.set(q.queue, (await ch.checkQueue(q.queue)).messageCount);
        return counts;
      });
      if (this.stopped) return;
      for (const [queue, count] of ready) {
        const state = this.queues.get(queue)!;
        state.ready = count;
        state.deliveredSince -= before.get(queue)!;
        this.report(queue, state);
      }
    } catch (err) {
      // A queue being redeclared or a connection going away: the next round measures again.
      this.options.logger.debug("amqp: measuring consumer lag failed", { error: (err as Error).message });
    } finally {
      this.polling = false;
    }
  }

  private report(queue: string, state: QueueState): void {
    if (this.stopped || state.ready === undefined) return;
    const lag = Math.max(0, state.ready - state.deliveredSince) + this.options.unsettled(queue);
    this.options.metrics.gauge(MetricName.ConsumerLag, lag, state.labels);
  }
}
