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
    const unique = [...new Map(specs.map((s) => [s.name, s])).values()];
    const existing = new Set(await this.list());
    const missing = unique.filter((s) => !existing.has(s.name));
    let created = true;
    if (missing.length > 0) {
      created = await this.admin.createTopics({
        // kafkajs 2.2.4's own wait fails at once on KRaft when the broker's metadata cache
        // does not know the new topic yet (UNKNOWN_TOPIC_OR_PARTITION); we wait ourselves.
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions ?? this.config.defaultPartitions,
          replicationFactor: this.config.replicationFactor,
          configEntries: this.configEntries(s),
        })),
      });
      await this.waitForLeaders(missing.map((s) => s.name));
    }
    // false = another client created them first, maybe differently: check those too.
    await this.checkExisting(created ? unique.filter((s) => existing.has(s.name)) : unique);
    for (const s of unique) this.known.add(s.name);
  }

  /** Polls metadata until every partition of `topics` has a leader, up to requestTimeoutMs. */
  private async waitForLeaders(topics: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.config.requestTimeoutMs;
    for (;;) {
      let problem: unknown;
      try {
        // All topics' metadata: asking for a topic the broker's cache does not know yet makes
        // kafkajs log an error per poll; asking for everything does not.
        const { topics: found } = await this.admin.fetchTopicMetadata({ topics: [] });
        const wanted = new Set(topics);
        const ready = found.filter(
          (t) => wanted.has(t.name) && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
        );
        if (ready.length === wanted.size) return;
      } catch (err) {
        problem = err; // not in the metadata cache yet
      }
      if (Date.now() >= deadline) {
        throw new KytosEventsError(
          ErrorCode.Timeout,
          `created topics ${topics.join(", ")} have no partition leaders after ${this.config.requestTimeoutMs} ms; ` +
            "check the brokers' health.",
          { cause: problem },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every topic on the cluster, internal ones included (fresh from the broker). */
  async list(): Promise<string[]> {
    const topics = await this.admin.listTopics();
    for (const t of topics) this.known.add(t);
    return topics;
  }

  /**
   * The names among `topics` that do not exist. Positive answers are cached, so the hot path
   * asks the broker only about names it has not seen. Not strict (the send path): when the
   * broker cannot be asked, nothing is reported missing and the send itself finds out.
   */
  async missing(topics: readonly string[], options: { strict?: boolean } = {}): Promise<Set<string>> {
    const unknown = new Set<string>();
    for (const t of topics) if (!this.known.has(t)) unknown.add(t);
    if (unknown.size === 0) return unknown;
    try {
      await this.list();
    } catch (err) {
      if (options.strict) throw err;
      return new Set();
    }
    for (const t of unknown) if (this.known.has(t)) unknown.delete(t);
    return unknown;
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
        configNames: ["cleanup.policy", "retention.ms"],
      })),
    });
    for (const spec of specs) {
      const partitions = metadata.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
      const entries = configs.resources.find((r) => r.resourceName === spec.name)?.configEntries ?? [];
      const policy = entries.find((e) => e.configName === "cleanup.policy")?.configValue ?? "delete";
      const retention = entries.find((e) => e.configName === "retention.ms")?.configValue;
      if (spec.retentionMs !== undefined && retention !== String(spec.retentionMs)) {
        // Retention changes how long history is kept, not what a record means: worth a
        // warning, not a refusal to start.
        this.config.logger.warn("kafka: topic retention differs from the routing config", {
          topic: spec.name,
          retentionMs: retention,
          wanted: spec.retentionMs,
        });
      }
      const compacted = policy.split(",").includes("compact");
      if (partitions !== (spec.partitions ?? partitions) || compacted !== (spec.compacted ?? false)) {
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
