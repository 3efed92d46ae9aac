// Topic management: create what is missing with the partitions, replication and cleanup
// policy asked for, refuse silently-different existing topics, and remember which topics
// exist so a send to a missing one fails fast instead of retrying for seconds.
import { type DestinationSpec, ErrorCode, KytosEventsError } from "@kytos-events/core";
import kafkajs, { type Admin } from "kafkajs";
import type { ResolvedKafkaConfig } from "./config.js";

// kafkajs is CommonJS, and Node's ESM loader does not see ConfigResourceTypes as a named export
// (its export detection stops at `CompressionCodecs: …`), so a named import breaks the ESM
// build at load time. The default export is module.exports in both ESM and CJS builds.
const { ConfigResourceTypes } = kafkajs;

export class TopicAdmin {
  private readonly known = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly config: ResolvedKafkaConfig,
  ) {}

  async ensure(specs: readonly DestinationSpec[]): Promise<void> {
    const names = specs.map((s) => s.name);
    const existing = new Set(await this.admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions ?? 1,
          replicationFactor: this.config.replicationFactor,
          configEntries: this.configEntries(s),
        })),
      });
    }
    await this.checkExisting(specs.filter((s) => existing.has(s.name)));
    for (const n of names) this.known.add(n);
  }

  /** True when the topic exists (cached after the first positive answer). */
  async exists(topic: string): Promise<boolean> {
    if (this.known.has(topic)) return true;
    const topics = await this.admin.listTopics();
    for (const t of topics) this.known.add(t);
    return this.known.has(topic);
  }

  private configEntries(spec: DestinationSpec): { name: string; value: string }[] {
    const entries: { name: string; value: string }[] = [];
    if (spec.compacted) {
      entries.push(
        { name: "cleanup.policy", value: "compact" },
        { name: "min.cleanable.dirty.ratio", value: this.config.compactionDirtyRatio },
        { name: "segment.ms", value: String(this.config.compactionSegmentMs) },
      );
    }
    if (spec.retentionMs !== undefined)
      entries.push({ name: "retention.ms", value: String(spec.retentionMs) });
    return entries;
  }

  private async checkExisting(specs: readonly DestinationSpec[]): Promise<void> {
    if (specs.length === 0) return;
    const metadata = await this.admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    const configs = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.name,
        configNames: ["cleanup.policy"],
      })),
    });
    for (const spec of specs) {
      const partitions = metadata.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
      const policy =
        configs.resources
          .find((r) => r.resourceName === spec.name)
          ?.configEntries.find((e) => e.configName === "cleanup.policy")?.configValue ?? "delete";
      const compacted = policy.split(",").includes("compact");
      if (
        (spec.partitions !== undefined && partitions !== spec.partitions) ||
        compacted !== (spec.compacted ?? false)
      ) {
        throw new KytosEventsError(
          ErrorCode.TopologyConflict,
          `topic "${spec.name}" exists with ${partitions} partitions and cleanup.policy=${policy}; ` +
            `asked for ${spec.partitions ?? "any"} partitions${spec.compacted ? " and compaction" : " without compaction"}. ` +
            "Align the routing config with the topic, or migrate the topic.",
        );
      }
    }
  }
}
