// A real single-node Apache Kafka (KRaft combined mode) run from the Maven Central jars, for
// tests and development on machines without Docker. The broker keeps its data directory and
// ports across stop/start, so restart() looks like a broker outage to clients: topics and
// committed offsets survive, connections do not.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BrokerProcess, logTail } from "./broker-process.js";
import { formatStorage } from "./format-storage.js";
import { freePorts } from "./free-port.js";
import { waitForKafka } from "./kafka-ready.js";
import { parseKafkaVersion, type QuorumStyle, quorumStyle } from "./kafka-version.js";
import { fetchKafkaJars } from "./maven-fetch.js";
import { renderServerProperties } from "./server-properties.js";

/** The newest Kafka that passes the smoke matrix with kafkajs 2.2.4 (README, "Brokers"). `KAFKA_VERSION` overrides. */
export const DEFAULT_KAFKA_VERSION = "4.4.0";

export interface KafkaBrokerOptions {
  /** Apache Kafka version from Maven Central, 3.3.0 or newer. Default: `$KAFKA_VERSION`, else DEFAULT_KAFKA_VERSION. */
  readonly version?: string;
  /** Loopback address to listen on and advertise. Default 127.0.0.1. */
  readonly host?: string;
  /** Client port. Default: a free port chosen by the kernel. */
  readonly port?: number;
  /** Extra or overriding server.properties settings. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** JVM options. Default: a 512 MiB heap and the serial collector (suits 2-core machines). */
  readonly jvmOptions?: readonly string[];
  /** How long start() waits for a metadata answer. Default 60 s. */
  readonly startTimeoutMs?: number;
}

const DEFAULT_JVM_OPTIONS = ["-Xmx512m", "-Xms256m", "-XX:+UseSerialGC"];

// The broker logs through slf4j → log4j2; without a configuration it would print only a warning.
const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = WARN
`;

export class KafkaBroker {
  readonly version: string;
  readonly host: string;
  private readonly quorum: QuorumStyle;
  private readonly options: KafkaBrokerOptions;
  private port = 0;
  private controllerPort = 0;
  private dir = "";
  private libs = "";
  private readonly proc = new BrokerProcess();

  constructor(options: KafkaBrokerOptions = {}) {
    this.options = options;
    this.version = options.version ?? process.env.KAFKA_VERSION ?? DEFAULT_KAFKA_VERSION;
    this.quorum = quorumStyle(parseKafkaVersion(this.version));
    this.host = options.host ?? "127.0.0.1";
    validate(options);
  }

  /** `host:port` of the client listener, as kafkajs wants it. Empty before the first start(). */
  get brokers(): string[] {
    return this.port ? [`${this.host}:${this.port}`] : [];
  }

  /** The broker's own log (appended across restarts); its tail is in every start-up error. */
  get logFile(): string {
    return join(this.dir, "broker.log");
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** Downloads (first time), formats (first time) and starts the broker; resolves once it answers metadata requests. */
  async start(): Promise<void> {
    if (this.proc.running) return;
    if (!this.dir) await this.prepare();
    await this.proc.spawn({
      command: "java",
      args: [
        ...(this.options.jvmOptions ?? DEFAULT_JVM_OPTIONS),
        `-Dlog4j2.configurationFile=${join(this.dir, "log4j2.properties")}`,
        "-cp",
        join(this.libs, "*"),
        "kafka.Kafka",
        join(this.dir, "server.properties"),
      ],
      logFile: this.logFile,
      dir: this.dir,
    });
    try {
      await waitForKafka(this.brokers, {
        timeoutMs: this.options.startTimeoutMs ?? 60_000,
        abandon: () => {
          const failure = this.proc.failure;
          if (failure?.spawnError)
            return `could not run java (${failure.spawnError.message}): install Java 17, or set KAFKA_BROKERS to a running Kafka`;
          return failure?.exited ? `Kafka ${this.version} exited during start-up` : undefined;
        },
      });
    } catch (err) {
      await this.kill();
      throw new Error(`${(err as Error).message}. Broker log (${this.logFile}):\n${this.logTail()}`);
    }
  }

  /** Clean shutdown (SIGTERM); SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs = 30_000): Promise<void> {
    return this.proc.stop(timeoutMs);
  }

  /** A crash: SIGKILL, no shutdown hooks, no clean log close. start() recovers from it. */
  kill(): Promise<void> {
    return this.proc.kill();
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a network stall. */
  pause(): void {
    this.proc.pause();
  }

  resume(): void {
    this.proc.resume();
  }

  /** Stops cleanly and starts again on the same ports with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and deletes its directory; a later start() begins a new, empty broker. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = "";
  }

  /** The last lines of the broker's log, for error messages. */
  logTail(lines = 30): string {
    return logTail(this.logFile, lines);
  }

  private async prepare(): Promise<void> {
    this.libs = await fetchKafkaJars(this.version);
    if (!this.port) {
      const [controller, client] = await freePorts(this.options.port ? 1 : 2, this.host);
      this.controllerPort = controller!;
      this.port = this.options.port ?? client!;
    }
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
        quorum: this.quorum,
        ...(this.options.overrides ? { overrides: this.options.overrides } : {}),
      }),
    );
    await writeFile(join(this.dir, "log4j2.properties"), LOG4J2);
    await formatStorage({ version: this.version, libs: this.libs, properties, quorum: this.quorum });
  }
}

function validate(o: KafkaBrokerOptions): void {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) {
    throw new Error(`KafkaBroker port ${o.port} is not a TCP port (1-65535).`);
  }
  if (o.startTimeoutMs !== undefined && !(o.startTimeoutMs > 0)) {
    throw new Error(
      `KafkaBroker startTimeoutMs ${o.startTimeoutMs} must be a positive number of milliseconds.`,
    );
  }
  if (o.host !== undefined && o.host.trim() === "") {
    throw new Error("KafkaBroker host is empty: use a loopback address such as 127.0.0.1.");
  }
}

/** Creates and starts a broker; if it cannot start, nothing of it is left behind. */
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
