// Consumer lag per partition, from what kafkajs already hands over: every fetched batch carries
// the partition's high watermark, so no extra request is made. Lag here is what this group has
// not yet *handled* on a partition — the high watermark minus the end of the settled prefix
// (the offset the next commit stores) — not merely what is not yet fetched: records delivered
// but still in a handler count, so a stuck handler shows as lag.
import { type MetricLabels, MetricName, type Metrics } from "@kytos-events/core";

interface LaneLag {
  readonly labels: MetricLabels;
  highWatermark: number;
  /** The first offset not yet handled (settled prefix end, or the first fetched offset). */
  position: number;
}

export class PartitionLag {
  private readonly lanes = new Map<string, LaneLag>();

  constructor(private readonly metrics: Metrics) {}

  /** A batch arrived: `firstOffset` is where this member starts if it has settled nothing on the lane yet. */
  fetched(lane: string, topic: string, partition: number, firstOffset: number, highWatermark: number): void {
    let state = this.lanes.get(lane);
    if (!state) {
      state = {
        labels: { destination: topic, partition: String(partition) },
        highWatermark,
        position: firstOffset,
      };
      this.lanes.set(lane, state);
    }
    state.highWatermark = Math.max(state.highWatermark, highWatermark);
    this.report(state);
  }

  /** Every record of the lane below `next` is settled. */
  settled(lane: string, next: number): void {
    const state = this.lanes.get(lane);
    if (!state || next <= state.position) return;
    state.position = next;
    this.report(state);
  }

  /**
   * The lane left this member (rebalance, close): it reports 0 for it from now on, so a stale
   * value cannot outlive the assignment; the partition's new owner reports the real lag.
   */
  revoked(lane: string): void {
    const state = this.lanes.get(lane);
    if (!state) return;
    this.lanes.delete(lane);
    this.metrics.gauge(MetricName.ConsumerLag, 0, state.labels);
  }

  private report(state: LaneLag): void {
    this.metrics.gauge(
      MetricName.ConsumerLag,
      Math.max(0, state.highWatermark - state.position),
      state.labels,
    );
  }
}
