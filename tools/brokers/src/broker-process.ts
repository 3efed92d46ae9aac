// One broker process (a Kafka JVM, a RabbitMQ node) as the test harness runs it: output
// appended to a log file, an orphan guard so it never outlives this process, and the signals
// tests use on it — a clean stop, a crash (SIGKILL), a freeze (SIGSTOP/SIGCONT). Readiness is
// the caller's business: each broker knows its own protocol.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { guardAgainstOrphan, type OrphanGuard } from "./orphan-guard.js";

// Every broker this process runs. Killed synchronously when the process exits normally; the
// orphan guard covers the ways of dying that skip "exit" handlers.
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface BrokerSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Appended to across restarts. */
  readonly logFile: string;
  /** Deleted by the orphan guard if this process dies without stopping the broker. */
  readonly dir: string;
}

export class BrokerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private paused = false;
  private spawnError: Error | undefined;
  private hasExited = false;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Why waiting for readiness is pointless: the command could not be run, or the process ended. */
  get failure(): { readonly spawnError?: Error; readonly exited: boolean } | undefined {
    if (this.spawnError) return { spawnError: this.spawnError, exited: this.hasExited };
    return this.hasExited ? { exited: true } : undefined;
  }

  /** Starts the process (if not running); resolves once it is spawned, not once it is ready. */
  async spawn(how: BrokerSpawn): Promise<void> {
    if (this.child) return;
    const log = createWriteStream(how.logFile, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      log.once("open", () => resolve());
      log.once("error", reject);
    });
    const child = spawn(how.command, how.args, {
      stdio: ["ignore", log, log],
      ...(how.env ? { env: how.env } : {}),
    });
    const guard: OrphanGuard | undefined = child.pid ? guardAgainstOrphan(child.pid, how.dir) : undefined;
    this.child = child;
    this.paused = false;
    this.spawnError = undefined;
    this.hasExited = false;
    live.add(child);
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.hasExited = true;
        guard?.release();
        live.delete(child);
        if (this.child === child) this.child = undefined;
        log.end();
        resolve();
      };
      child.once("close", finish);
      // A failed spawn (command not found) may never emit "close".
      child.once("error", (err) => {
        this.spawnError = err;
        if (child.pid === undefined) finish();
      });
    });
  }

  /** Clean shutdown (SIGTERM); SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.paused) this.resume(); // a stopped process would hold the SIGTERM until continued
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: SIGKILL, no shutdown hooks. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGKILL");
    await this.exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void {
    if (this.child?.kill("SIGSTOP")) this.paused = true;
  }

  resume(): void {
    if (this.child?.kill("SIGCONT")) this.paused = false;
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no broker log)";
  }
}
