// The in-process broker behind the memory transport: topics with partitions, consumer groups
// with committed positions and rebalancing, dead-letter topics, compaction and bounded
// retention. One broker can be shared by several transports (a producer side and a consumer
// side, or many consumers) to model a real deployment in one process.
import { ErrorCode, KytosEventsError } from "@kytos-events/schema";
import type { DestinationSpec } from "../transport/transport.js";
import { PartitionLog, type StoredRecord } from "./partition-log.js";

export interface MemoryBrokerOptions {
  /** Records kept per partition; older ones are trimmed and counted. Default 100 000. */
  readonly maxRecordsPerPartition?: number;
  /** Largest value accepted, in bytes. Default 1 MiB (Kafka's default `message.max.bytes`). */
  readonly maxMessageBytes?: number;
}

export interface MemoryTopic {
  readonly name: string;
  readonly compacted: boolean;
  readonly partitions: readonly PartitionLog[];
}

/** What a destination holds and what it removed, summed over its partitions. */
export interface MemoryDestinationStats {
  /** Readable records. */
  readonly records: number;
  /** Removed by retention (`maxRecordsPerPartition`), whether or not every group had read them. */
  readonly trimmed: number;
  /** Removed by compaction (a newer record with the same key was written). */
  readonly compacted: number;
}

/** A group member as the broker sees it: told when its assignment changes or records arrive. */
export interface GroupMember {
  readonly id: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  assign(lanes: readonly string[]): void;
  wake(): void;
}

interface Group {
  readonly members: GroupMember[];
  /** Next offset to read, per lane ("topic/partition"). */
  readonly committed: Map<string, number>;
}

export const laneOf = (topic: string, partition: number): string => `${topic}/${partition}`;

export function parseLane(lane: string): { topic: string; partition: number } {
  const slash = lane.lastIndexOf("/");
  return { topic: lane.slice(0, slash), partition: Number(lane.slice(slash + 1)) };
}

export class MemoryBroker {
  readonly maxRecordsPerPartition: number;
  readonly maxMessageBytes: number;
  private readonly topics = new Map<string, MemoryTopic>();
  private readonly groups = new Map<string, Group>();
  private readonly watchers = new Map<string, Set<GroupMember>>();
  private available = true;

  constructor(options: MemoryBrokerOptions = {}) {
    this.maxRecordsPerPartition = options.maxRecordsPerPartition ?? 100_000;
    this.maxMessageBytes = options.maxMessageBytes ?? 1024 * 1024;
    if (!(this.maxRecordsPerPartition >= 1) || !(this.maxMessageBytes >= 1)) {
      throw new KytosEventsError(ErrorCode.ConfigInvalid, "memory broker limits must be positive numbers.");
    }
  }

  /** Simulates an outage: while unavailable, sends fail as retriable. */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  get isAvailable(): boolean {
    return this.available;
  }

  ensureTopic(spec: DestinationSpec): MemoryTopic {
    const partitions = spec.partitions ?? 1;
    const compacted = spec.compacted ?? false;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new KytosEventsError(
        ErrorCode.ConfigInvalid,
        `destination "${spec.name}": partitions must be a positive integer.`,
      );
    }
    const existing = this.topics.get(spec.name);
    if (existing) {
      if (existing.partitions.length !== partitions || existing.compacted !== compacted) {
        throw new KytosEventsError(
          ErrorCode.TopologyConflict,
          `destination "${spec.name}" exists with ${existing.partitions.length} partitions, compacted=${existing.compacted}; ` +
            `asked for ${partitions}, compacted=${compacted}. Use the existing settings or another name.`,
        );
      }
      return existing;
    }
    const topic: MemoryTopic = {
      name: spec.name,
      compacted,
      partitions: Array.from(
        { length: partitions },
        () => new PartitionLog(this.maxRecordsPerPartition, compacted),
      ),
    };
    this.topics.set(spec.name, topic);
    return topic;
  }

  topic(name: string): MemoryTopic | undefined {
    return this.topics.get(name);
  }

  append(topicName: string, partition: number, record: Omit<StoredRecord, "offset">): number {
    const topic = this.topics.get(topicName)!;
    const offset = topic.partitions[partition]!.append(
      record.key,
      record.value,
      record.headers,
      record.timestamp,
    );
    for (const member of this.watchers.get(topicName) ?? []) member.wake();
    return offset;
  }

  /** Every readable record of a destination, partition by partition (tests, tools, demo). */
  records(topicName: string): StoredRecord[] {
    const topic = this.topics.get(topicName);
    return topic ? topic.partitions.flatMap((p) => [...p.records()]) : [];
  }

  /** Counts for one destination; undefined when it does not exist. */
  stats(topicName: string): MemoryDestinationStats | undefined {
    const topic = this.topics.get(topicName);
    if (!topic) return undefined;
    let records = 0;
    let trimmed = 0;
    let compacted = 0;
    for (const p of topic.partitions) {
      records += p.size;
      trimmed += p.trimmed;
      compacted += p.compactedAway;
    }
    return { records, trimmed, compacted };
  }

  join(groupId: string, member: GroupMember): void {
    const group = this.group(groupId);
    group.members.push(member);
    for (const t of member.topics) {
      const set = this.watchers.get(t) ?? new Set();
      this.watchers.set(t, set);
      set.add(member);
    }
    this.rebalance(groupId);
  }

  leave(groupId: string, member: GroupMember): void {
    const group = this.group(groupId);
    const i = group.members.indexOf(member);
    if (i >= 0) group.members.splice(i, 1);
    for (const t of member.topics) this.watchers.get(t)?.delete(member);
    member.assign([]);
    this.rebalance(groupId);
  }

  /** The group's next offset for a lane, initialised on first use (beginning or end). */
  position(groupId: string, lane: string, fromBeginning: boolean): number {
    const group = this.group(groupId);
    let next = group.committed.get(lane);
    if (next === undefined) {
      const { topic, partition } = parseLane(lane);
      const log = this.topics.get(topic)!.partitions[partition]!;
      next = fromBeginning ? log.startOffset : log.endOffset;
      group.committed.set(lane, next);
    }
    return next;
  }

  commit(groupId: string, lane: string, nextOffset: number): void {
    const committed = this.group(groupId).committed;
    if ((committed.get(lane) ?? -1) < nextOffset) committed.set(lane, nextOffset);
  }

  committed(groupId: string, lane: string): number | undefined {
    return this.groups.get(groupId)?.committed.get(lane);
  }

  private group(groupId: string): Group {
    const group = this.groups.get(groupId) ?? { members: [], committed: new Map() };
    this.groups.set(groupId, group);
    return group;
  }

  // Each topic's partitions are dealt round-robin over the members subscribed to it, members
  // sorted by id so every rebalance of the same membership gives the same assignment.
  private rebalance(groupId: string): void {
    const group = this.group(groupId);
    const members = [...group.members].sort((a, b) => (a.id < b.id ? -1 : 1));
    const lanes = new Map<GroupMember, string[]>(members.map((m) => [m, []]));
    const topicNames = new Set(members.flatMap((m) => m.topics));
    for (const name of topicNames) {
      const topic = this.topics.get(name);
      if (!topic) continue;
      const takers = members.filter((m) => m.topics.includes(name));
      for (let p = 0; p < topic.partitions.length; p++) {
        lanes.get(takers[p % takers.length]!)!.push(laneOf(name, p));
      }
    }
    for (const [member, assigned] of lanes) member.assign(assigned);
  }
}
