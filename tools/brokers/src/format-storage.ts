// Formats a fresh KRaft data directory (what `kafka-storage.sh format` does), the step a new
// node needs before its first start. Re-running it on a formatted directory is a no-op, so a
// restarted broker keeps its data.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { QuorumStyle } from "./kafka-version.js";

export interface FormatStorageOptions {
  readonly version: string;
  readonly libs: string;
  readonly properties: string;
  readonly quorum: QuorumStyle;
}

export async function formatStorage(o: FormatStorageOptions): Promise<void> {
  // kafka.tools.StorageTool is the class behind kafka-storage.sh in 3.x and 4.x alike.
  const args = ["-Xmx256m", "-cp", join(o.libs, "*"), "kafka.tools.StorageTool", "format"];
  args.push("--cluster-id", clusterId(), "--config", o.properties, "--ignore-formatted");
  if (o.quorum === "dynamic") args.push("--standalone");
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const tool = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
    tool.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    tool.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    tool.once("error", (err) =>
      reject(
        new Error(
          `could not run java (${err.message}): install Java 17, or set KAFKA_BROKERS to a running Kafka.`,
        ),
      ),
    );
    tool.once("exit", resolve);
  });
  if (code !== 0) {
    throw new Error(
      `formatting the Kafka ${o.version} storage failed (exit ${code}):\n${Buffer.concat(output)}`,
    );
  }
}

/** A Kafka cluster id: 16 random bytes in base64url, not starting with "-" (the tool would read an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
