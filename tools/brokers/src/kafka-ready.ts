// "Is this Kafka serving?" answered the way clients need it: a metadata request that names at
// least one broker and a controller. An open port is not enough; a KRaft node accepts
// connections before it has joined its quorum and before it can answer. Likewise "is this new
// topic usable?": every partition has a leader in the broker's metadata.
import { type Admin, Kafka, logLevel } from "kafkajs";

export interface WaitForKafkaOptions {
  /** Give up after this long. Default 30 s. */
  readonly timeoutMs?: number;
  /** Called between attempts; a returned reason (e.g. "the process exited") ends the wait at once. */
  readonly abandon?: () => string | undefined;
}

export async function waitForKafka(
  brokers: readonly string[],
  options: WaitForKafkaOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: "kytos-events-harness",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  let lastError = "no attempt finished";
  for (;;) {
    const reason = options.abandon?.();
    if (reason) throw new Error(reason);
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      lastError = "the cluster has no controller yet";
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `Kafka at ${brokers.join(",")} did not answer a metadata request within ${timeoutMs} ms (last error: ${lastError})`,
  );
}

/**
 * Waits until every partition of `topics` has a leader. Use it after
 * `createTopics({ waitForLeaders: false })`: on KRaft the CreateTopics answer can come before
 * the broker's metadata cache knows the topic, and kafkajs 2.2.4's own waitForLeaders then
 * fails at once with UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this
 * topic-partition") instead of waiting; measured on fresh brokers of this harness.
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no attempt finished";
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = found.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (found.length === topics.length && leaderless.length === 0) return;
      lastError = `no leader yet for ${leaderless.map((t) => t.name).join(", ") || "some topics"}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `topics ${topics.join(", ")} have no leaders after ${timeoutMs} ms (last error: ${lastError})`,
  );
}
