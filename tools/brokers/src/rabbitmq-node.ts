// A private RabbitMQ node started from the machine's rabbitmq-server, on free ports with its
// own data directory, config and Erlang cookie. Tests that crash, freeze or reconfigure a
// broker (SIGKILL, SIGSTOP, a TLS listener, a low max_message_size) use one of these so the
// shared server on 5672 is never disturbed. Like KafkaBroker, the node keeps its data and
// ports across stop/start, so restart() looks like an outage: durable queues and their
// messages survive, connections do not.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { connect } from "amqplib";
import { BrokerProcess, logTail } from "./broker-process.js";
import { freePorts } from "./free-port.js";

export interface RabbitMQTlsListener {
  /** PEM files for the TLS listener: the CA that signed the server certificate, the certificate and its key. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Ask clients for a certificate (mutual TLS). Default false. */
  readonly verifyPeer?: boolean;
}

export interface RabbitMQNodeOptions {
  /** Loopback address to listen on. Default 127.0.0.1 (guest may only log in over loopback). */
  readonly host?: string;
  /** Adds an amqps listener on a free port. */
  readonly tls?: RabbitMQTlsListener;
  /** Extra rabbitmq.conf lines as key → value, e.g. `{ max_message_size: "1048576" }`. */
  readonly config?: Readonly<Record<string, string>>;
  /** The rabbitmq-server script. Default: `$RABBITMQ_SERVER`, else /usr/lib/rabbitmq/bin/rabbitmq-server, else on PATH. */
  readonly serverScript?: string;
  /** How long start() waits for an AMQP connection. Default 60 s. */
  readonly startTimeoutMs?: number;
}

const run = promisify(execFile);

let nodeCount = 0;

export class RabbitMQNode {
  readonly host: string;
  private readonly options: RabbitMQNodeOptions;
  private readonly nodeName: string;
  private port = 0;
  private tlsPort = 0;
  private distPort = 0;
  private dir = "";
  private readonly proc = new BrokerProcess();

  constructor(options: RabbitMQNodeOptions = {}) {
    this.options = options;
    this.host = options.host ?? "127.0.0.1";
    if (this.host.trim() === "")
      throw new Error("RabbitMQNode host is empty: use a loopback address such as 127.0.0.1.");
    if (options.startTimeoutMs !== undefined && !(options.startTimeoutMs > 0)) {
      throw new Error(
        `RabbitMQNode startTimeoutMs ${options.startTimeoutMs} must be a positive number of milliseconds.`,
      );
    }
    this.nodeName = `kytos-events-${process.pid}-${++nodeCount}@localhost`;
  }

  /** amqp:// URL of the plain listener with the default guest user. Empty before the first start(). */
  get url(): string {
    return this.port ? `amqp://guest:guest@${this.host}:${this.port}` : "";
  }

  /** amqps:// URL of the TLS listener, when one was asked for. */
  get tlsUrl(): string {
    return this.tlsPort ? `amqps://guest:guest@localhost:${this.tlsPort}` : "";
  }

  get amqpPort(): number {
    return this.port;
  }

  get amqpsPort(): number {
    return this.tlsPort;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** The node's console output (appended across restarts); its tail is in every start-up error. */
  get logFile(): string {
    return join(this.dir, "node.log");
  }

  /** Prepares (first time) and starts the node; resolves once it accepts an AMQP connection. */
  async start(): Promise<void> {
    if (this.proc.running) return;
    if (!this.dir) await this.prepare();
    await this.proc.spawn({
      command: serverScript(this.options),
      args: [],
      env: this.env(),
      logFile: this.logFile,
      dir: this.dir,
    });
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    let last: unknown;
    while (Date.now() < deadline && !this.proc.failure) {
      try {
        const conn = await connect(this.url, { timeout: 2000 });
        await conn.close().catch(() => {});
        return;
      } catch (err) {
        last = err;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
    const failure = this.proc.failure;
    await this.kill();
    const why = failure?.spawnError
      ? `could not run ${serverScript(this.options)} (${failure.spawnError.message}): install rabbitmq-server or set RABBITMQ_SERVER`
      : failure?.exited
        ? "the node exited during start-up"
        : `no AMQP connection within the start timeout (last error: ${(last as Error | undefined)?.message})`;
    throw new Error(`RabbitMQ node ${this.nodeName}: ${why}. Node log (${this.logFile}):\n${this.logTail()}`);
  }

  /** Clean shutdown (SIGTERM); SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs = 30_000): Promise<void> {
    return this.proc.stop(timeoutMs);
  }

  /**
   * A crash: SIGKILL, no shutdown. start() recovers from it with the same data — with one
   * catch measured on RabbitMQ 3.10: Ra records quorum queues in a DETS file it flushes
   * lazily, so a quorum queue declared shortly before the kill is not restarted after it
   * (every call to it then times out). Declare the queues, restart() once, then kill.
   */
  kill(): Promise<void> {
    return this.proc.kill();
  }

  /** Freezes the node (SIGSTOP): connections stay open but nothing answers. */
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

  /**
   * Runs `rabbitmqctl <args>` against this node (its name, and its HOME for the Erlang cookie),
   * e.g. `ctl(["change_password", "user", "new"])`; resolves with its standard output.
   */
  async ctl(args: readonly string[]): Promise<string> {
    if (!this.proc.running)
      throw new Error(`RabbitMQ node ${this.nodeName} is not running: start() it first.`);
    try {
      const { stdout } = await run(ctlScript(this.options), ["-n", this.nodeName, ...args], {
        env: this.env(),
        timeout: 60_000,
      });
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(
        `rabbitmqctl ${args.join(" ")} on ${this.nodeName} failed: ${e.stderr?.trim() || e.message}`,
      );
    }
  }

  /** Stops the node and deletes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = "";
  }

  logTail(lines = 30): string {
    return logTail(this.logFile, lines);
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      // HOME holds the node's own Erlang cookie, so it never needs the system node's.
      HOME: this.dir,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_IP_ADDRESS: this.host,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, "advanced.config"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_PID_FILE: join(this.dir, "node.pid"),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, "rabbitmq-env.conf"),
      // Console logging only: the node log above gets everything.
      RABBITMQ_LOGS: "-",
      // Without this the script stays in between as a signal-forwarding shell; with it the
      // script execs the VM, so this child's pid is the broker's own.
      RUNNING_UNDER_SYSTEMD: "true",
    };
  }

  private async prepare(): Promise<void> {
    const [port, dist, tls] = await freePorts(this.options.tls ? 3 : 2, this.host);
    this.port = port!;
    this.distPort = dist!;
    this.tlsPort = this.options.tls ? tls! : 0;
    this.dir = await mkdtemp(join(tmpdir(), "kytos-events-rabbitmq-"));
    await mkdir(join(this.dir, "mnesia"));
    await mkdir(join(this.dir, "log"));
    await writeFile(join(this.dir, "rabbitmq.conf"), this.renderConfig());
    await writeFile(join(this.dir, "advanced.config"), "[].\n");
    await writeFile(join(this.dir, "enabled_plugins"), "[].\n");
    await writeFile(join(this.dir, "rabbitmq-env.conf"), "");
  }

  private renderConfig(): string {
    const lines = [
      `listeners.tcp.default = ${this.host}:${this.port}`,
      "log.console = true",
      "log.file = false",
    ];
    const tls = this.options.tls;
    if (tls) {
      lines.push(
        `listeners.ssl.default = ${this.host}:${this.tlsPort}`,
        `ssl_options.cacertfile = ${tls.caFile}`,
        `ssl_options.certfile = ${tls.certFile}`,
        `ssl_options.keyfile = ${tls.keyFile}`,
        `ssl_options.verify = ${tls.verifyPeer ? "verify_peer" : "verify_none"}`,
        `ssl_options.fail_if_no_peer_cert = ${tls.verifyPeer ? "true" : "false"}`,
      );
    }
    for (const [key, value] of Object.entries(this.options.config ?? {})) lines.push(`${key} = ${value}`);
    return `${lines.join("\n")}\n`;
  }
}

function serverScript(options: RabbitMQNodeOptions): string {
  if (options.serverScript) return options.serverScript;
  if (process.env.RABBITMQ_SERVER) return process.env.RABBITMQ_SERVER;
  const debian = "/usr/lib/rabbitmq/bin/rabbitmq-server";
  return existsSync(debian) ? debian : "rabbitmq-server";
}

// rabbitmqctl beside the server script: the /usr/sbin wrapper may switch to the rabbitmq user,
// and with it to that user's HOME and cookie instead of this node's.
function ctlScript(options: RabbitMQNodeOptions): string {
  const beside = join(dirname(serverScript(options)), "rabbitmqctl");
  return existsSync(beside) ? beside : "rabbitmqctl";
}

/** Creates and starts a private node; if it cannot start, nothing of it is left behind. */
export async function startRabbitMQ(options: RabbitMQNodeOptions = {}): Promise<RabbitMQNode> {
  const node = new RabbitMQNode(options);
  try {
    await node.start();
  } catch (err) {
    await node.destroy();
    throw err;
  }
  return node;
}
