// Fetches the real Apache Kafka broker (org.apache.kafka:kafka_2.13 and its runtime
// dependencies) from Maven Central into a cache outside the repository, once per version.
// Several test processes may ask at the same time, so the download goes to a private temp
// directory and is moved into place with an atomic rename.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseKafkaVersion } from "./kafka-version.js";

const run = promisify(execFile);

/** Root of every download this harness keeps: `$KYTOS_EVENTS_CACHE` or `~/.cache/kytos-events`. */
export function cacheRoot(): string {
  return process.env.KYTOS_EVENTS_CACHE ?? join(homedir(), ".cache", "kytos-events");
}

// The broker logs through slf4j 1.7; without a binding it prints nothing useful when it fails.
const LOG4J_VERSION = "2.24.3";
// Pinned so every machine resolves the same way (a bare `dependency:` prefix takes the newest).
const DEPENDENCY_PLUGIN_VERSION = "3.8.1";

function pomFor(version: string): string {
  const dep = (g: string, a: string, v: string) =>
    `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kytos-events</groupId>
  <artifactId>kafka-broker-${version}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${dep("org.apache.kafka", "kafka_2.13", version)}
    ${dep("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J_VERSION)}
    ${dep("org.apache.logging.log4j", "log4j-core", LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

/** Returns the directory holding every jar the broker needs, downloading it on first use. */
export async function fetchKafkaJars(version: string): Promise<string> {
  parseKafkaVersion(version);
  const home = join(cacheRoot(), "kafka", version);
  const libs = join(home, "libs");
  if (existsSync(join(libs, `kafka_2.13-${version}.jar`))) return libs;

  await mkdir(home, { recursive: true });
  const work = await mkdtemp(join(home, "fetch-"));
  try {
    await writeFile(join(work, "pom.xml"), pomFor(version));
    try {
      await run(
        "mvn",
        [
          "-q",
          "-B",
          `org.apache.maven.plugins:maven-dependency-plugin:${DEPENDENCY_PLUGIN_VERSION}:copy-dependencies`,
          "-DincludeScope=runtime",
          `-DoutputDirectory=${join(work, "libs")}`,
        ],
        { cwd: work, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      const out = err as { stdout?: string; stderr?: string; code?: unknown };
      if (out.code === "ENOENT") {
        throw new Error(
          "Maven (mvn) is not on PATH: install Java 17 and Maven, or set KAFKA_BROKERS to a running Kafka.",
        );
      }
      throw new Error(
        `Maven could not fetch org.apache.kafka:kafka_2.13:${version} from Maven Central. ` +
          `Check the version exists and Maven Central is reachable.\n${(out.stdout ?? "") + (out.stderr ?? "")}`.trim(),
      );
    }
    try {
      await rename(join(work, "libs"), libs);
    } catch (err) {
      // Another process finished first: its copy is as good as ours.
      if (!existsSync(join(libs, `kafka_2.13-${version}.jar`))) throw err;
    }
    return libs;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
