// A real single-node Apache Kafka (KRaft combined mode) run from the Maven Central jars, for
// tests and development on machines without Docker. The broker keeps its data directory and
// ports across stop/start, so restart() looks like a broker outage to clients: topics and
// committed offsets survive, connections do not.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { freePort } from "./free-port.js";
import { fetchKafkaJars } from "./maven-fetch.js";
import { renderServerProperties } from "./server-properties.js";

/** The Kafka version tested with kafkajs 2.2.4 (see the README's matrix). `KAFKA_VERSION` overrides. */
export const DEFAULT_KAFKA_VERSION = "4.4.0";

export interface KafkaBrokerOptions {
  /** Apache Kafka version from Maven Central. Default: `$KAFKA_VERSION` or DEFAULT_KAFKA_VERSION. */
  readonly version?: string;
  /** Loopback address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Client port. Default: a free port. */
  readonly port?: number;
  /** Extra server.properties settings. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** JVM options. Default: a 512 MiB heap and the serial collector (2-core machines). */
  readonly jvmOptions?: readonly string[];
  /** How long start() waits for a metadata answer. Default 60 s. */
  readonly startTimeoutMs?: number;
}

const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
`;

// Every broker this process started, so none outlives it even when a test forgets stop().
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class KafkaBroker {
  readonly version: string;
  readonly host: string;
  private port = 0;
  private controllerPort = 0;
  private dir = "";
  private libs = "";
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly options: KafkaBrokerOptions;

  constructor(options: KafkaBrokerOptions = {}) {
    this.options = options;
    this.version = options.version ?? process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
    this.host = options.host ?? "127.0.0.1";
  }

  /** `host:port` of the client listener, as kafkajs wants it. */
  get brokers(): string[] {
    return [`${this.host}:${this.port}`];
  }

  get logFile(): string {
    return join(this.dir, "broker.log");
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Downloads (first time), formats (first time) and starts the broker; resolves once it answers metadata requests. */
  async start(): Promise<void> {
    if (this.child) return;
    if (!this.dir) await this.prepare();
    const log = createWriteStream(this.logFile, { flags: "a" });
    await new Promise<void>((resolve) => log.once("open", () => resolve()));
    const jvm = this.options.jvmOptions ?? ["-Xmx512m", "-Xms256m", "-XX:+UseSerialGC"];
    const child = spawn(
      "java",
      [
        ...jvm,
        `-Dlog4j2.configurationFile=${join(this.dir, "log4j2.properties")}`,
        "-cp",
        join(this.libs, "*"),
        "kafka.Kafka",
        join(this.dir, "server.properties"),
      ],
      { stdio: ["ignore", log, log] },
    );
    this.child = child;
    live.add(child);
    this.exited = new Promise<void>((resolve) => {
      child.once("exit", () => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        log.end();
        resolve();
      });
    });
    child.once("error", () => {}); // spawn errors surface as an early exit below
    try {
      await this.waitUntilReady(child);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** Clean shutdown (SIGTERM), SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: SIGKILL, no shutdown hooks. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await this.exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a network stall. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops and starts again on the same port with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and deletes its data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines of the broker's log, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no broker log)";
    }
  }

  private async prepare(): Promise<void> {
    this.libs = await fetchKafkaJars(this.version);
    this.port = this.options.port ?? (await freePort(this.host));
    this.controllerPort = await freePort(this.host);
    this.dir = await mkdtemp(join(tmpdir(), `kytos-events-kafka-${this.version}-`));
    const data = join(this.dir, "data");
    await mkdir(data);
    const properties = join(this.dir, "server.properties");
    await writeFile(
      properties,
      renderServerProperties({
        nodeId: 1,
        host: this.host,
        port: this.port,
        controllerPort: this.controllerPort,
        logDir: data,
        ...(this.options.overrides ? { overrides: this.options.overrides } : {}),
      }),
    );
    await writeFile(join(this.dir, "log4j2.properties"), LOG4J2);
    await this.format(properties);
  }

  private async format(properties: string): Promise<void> {
    const args = ["-cp", join(this.libs, "*"), "kafka.tools.StorageTool", "format"];
    args.push("--cluster-id", clusterId(), "--config", properties, "--standalone", "--ignore-formatted");
    const out: Buffer[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn("java", ["-Xmx256m", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      p.stdout.on("data", (b: Buffer) => out.push(b));
      p.stderr.on("data", (b: Buffer) => out.push(b));
      p.once("error", (err) =>
        reject(
          new Error(
            `could not run java (${err.message}): install Java 17, or set KAFKA_BROKERS to a running Kafka.`,
          ),
        ),
      );
      p.once("exit", resolve);
    });
    if (code !== 0) {
      throw new Error(
        `formatting the Kafka ${this.version} storage failed (exit ${code}):\n${Buffer.concat(out)}`,
      );
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    const kafka = new Kafka({
      clientId: "kytos-events-harness",
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    });
    let lastError = "";
    while (Date.now() < deadline) {
      if (exited || this.child !== child) {
        throw new Error(`Kafka ${this.version} exited during start-up. Broker log:\n${this.logTail()}`);
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      } catch (err) {
        lastError = (err as Error).message;
      } finally {
        await admin.disconnect().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `Kafka ${this.version} did not answer a metadata request on ${this.brokers} within ` +
        `${this.options.startTimeoutMs ?? 60_000} ms (last error: ${lastError}). Broker log:\n${this.logTail()}`,
    );
  }
}

/** A Kafka cluster id: 16 random bytes, base64url, not starting with "-" (the tools reject that). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Creates and starts a broker. */
export async function startKafka(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const broker = new KafkaBroker(options);
  try {
    await broker.start();
  } catch (err) {
    await broker.destroy();
    throw err;
  }
  return broker;
}
