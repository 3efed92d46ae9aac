// Consumer lag of a RabbitMQ subscription, per queue: RabbitMQ has no offsets, so the lag is
// what the broker still holds ready in the group's queue (`checkQueue`'s message count) plus
// what this subscriber was delivered and has not settled yet. Asked on a timer (the broker
// pushes nothing), on a short-lived channel so a missing queue cannot close the consumer's.
// The timer is unref'ed: it never keeps a process alive. Reported as partition "0".
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

export class QueueLag {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  private readonly labels: ReadonlyMap<string, MetricLabels>;

  constructor(private readonly options: QueueLagOptions) {
    this.labels = new Map(
      options.queues.map((q) => [q.queue, { destination: q.destination, partition: "0" }]),
    );
  }

  /** Measures once now, then every `intervalMs` until `stop()`. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  /** No further measurement; the queues report 0 lag from this subscriber. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const labels of this.labels.values()) this.options.metrics.gauge(MetricName.ConsumerLag, 0, labels);
  }

  private async poll(): Promise<void> {
    // A slow broker answer never piles rounds up.
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const model = await this.options.model();
      if (!model || this.stopped) return;
      const ready = await declare(model, async (ch) => {
        const counts = new Map<string, number>();
        for (const q of this.options.queues) counts.set(q.queue, (await ch.checkQueue(q.queue)).messageCount);
        return counts;
      });
      if (this.stopped) return;
      for (const [queue, count] of ready) {
        const lag = count + this.options.unsettled(queue);
        this.options.metrics.gauge(MetricName.ConsumerLag, lag, this.labels.get(queue)!);
      }
    } catch (err) {
      // A queue being redeclared or a connection going away: the next round measures again.
      this.options.logger.debug("amqp: measuring consumer lag failed", { error: (err as Error).message });
    } finally {
      this.polling = false;
    }
  }
}
