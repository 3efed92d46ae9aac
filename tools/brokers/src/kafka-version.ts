// Apache Kafka version strings: validated once at the edge (KAFKA_VERSION is user input), and
// the one version-dependent choice the harness makes, how the KRaft quorum is configured.

export interface KafkaVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The oldest release whose KRaft mode is production-ready (KIP-833); older ones need ZooKeeper. */
const OLDEST = { major: 3, minor: 3, patch: 0 } as const;

export function parseKafkaVersion(text: string): KafkaVersion {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) {
    throw new Error(`Kafka version "${text}" is not of the form X.Y.Z (e.g. 4.4.0): fix KAFKA_VERSION.`);
  }
  const version = { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
  if (compare(version, OLDEST) < 0) {
    throw new Error(
      `Kafka ${text} cannot run without ZooKeeper; this harness starts KRaft brokers, 3.3.0 or newer: fix KAFKA_VERSION.`,
    );
  }
  return version;
}

function compare(a: KafkaVersion, b: KafkaVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * How the single-node controller quorum is declared. 3.9 (KIP-853) added dynamic quorums,
 * formatted with `--standalone` and found through `controller.quorum.bootstrap.servers`;
 * before that the only way is a static `controller.quorum.voters` list.
 */
export type QuorumStyle = "dynamic" | "static";

export function quorumStyle(version: KafkaVersion): QuorumStyle {
  return compare(version, { major: 3, minor: 9, patch: 0 }) >= 0 ? "dynamic" : "static";
}
