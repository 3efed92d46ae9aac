// Where a consumer group stands on each partition, from the broker's point of view: the next
// offset the group would read (its committed offset, or where a group without one starts)
// and the log end offset. Used to tell when a subscriber has caught up with a topic.
import type { Admin } from "kafkajs";

export interface PartitionRange {
  /** Next offset the group reads on this partition. */
  readonly start: number;
  /** Log end offset (high watermark) now: the offset the next record will get. */
  readonly end: number;
}

export const laneOf = (topic: string, partition: number): string => `${topic}/${partition}`;

export function splitLane(lane: string): { topic: string; partition: number } {
  const i = lane.lastIndexOf("/");
  return { topic: lane.slice(0, i), partition: Number(lane.slice(i + 1)) };
}

export async function partitionRanges(
  admin: Admin,
  group: string,
  topics: readonly string[],
  fromBeginning: boolean,
): Promise<Map<string, PartitionRange>> {
  const ranges = new Map<string, PartitionRange>();
  if (topics.length === 0) return ranges;
  const [committed, ...logs] = await Promise.all([
    admin.fetchOffsets({ groupId: group, topics: [...topics] }),
    ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
  ]);
  topics.forEach((topic, i) => {
    const groupTopic = committed.find((t) => t.topic === topic);
    for (const p of logs[i] ?? []) {
      const stored = Number(groupTopic?.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
      const low = Number(p.low);
      const end = Number(p.high);
      // A committed offset below the log start (retention deleted it) restarts at the log start.
      const start = stored >= 0 ? Math.max(stored, low) : fromBeginning ? low : end;
      ranges.set(laneOf(topic, p.partition), { start, end });
    }
  });
  return ranges;
}
