// Runs a scenario's producer or consumer as a real child process (node itself with tsx, so a
// signal hits the SDK's process and nothing in between) and reads what it reports: one JSON
// object per stdout line, each with a `kind`. The test waits on those reports and signals the
// child the way an operator or a crash would (SIGTERM, SIGKILL).
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** One line a child printed: `kind` says what it is; `at` is when the test received it (ms, performance.now). */
export interface Report {
  readonly kind: string;
  readonly at: number;
  readonly [field: string]: unknown;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly reports: Report[];
  /** The newest report of `kind`, if any. */
  last(kind: string): Report | undefined;
  /** Resolves with the first report (from `from` on) that satisfies `match`; rejects if the child exits first or at the deadline. */
  waitFor(match: (r: Report) => boolean, what: string, timeoutMs?: number, from?: number): Promise<Report>;
  /** Sends `signal` and resolves once the process has exited ("code 0", "signal SIGKILL", …). */
  signal(signal: NodeJS.Signals): Promise<string>;
  readonly exited: Promise<string>;
  readonly running: boolean;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Kills every child still running (a failed test must not leave publishers behind). */
export function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
}

export function startChild(name: string, script: string, env: Record<string, string>): Child {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@kytos-events/source", fileURLToPath(new URL(script, import.meta.url))],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  live.add(child);
  const reports: Report[] = [];
  let stderr = "";
  let rest = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        reports.push({ ...(JSON.parse(line) as { kind: string }), at: performance.now() });
      } catch {
        // a line that is not a report (a library printing): ignored
      }
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let running = true;
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      live.delete(child);
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    });
  });
  const describe = async () =>
    `${name} ${running ? "still running" : `exited (${await exited})`}; stderr:\n${stderr}`;
  return {
    name,
    pid: child.pid!,
    reports,
    exited,
    get running() {
      return running;
    },
    last(kind) {
      for (let i = reports.length - 1; i >= 0; i--) if (reports[i]!.kind === kind) return reports[i];
      return undefined;
    },
    async waitFor(match, what, timeoutMs = 120_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let i = from; i < reports.length; i++) if (match(reports[i]!)) return reports[i]!;
        if (!running || Date.now() > deadline) {
          throw new Error(
            `${name}: no report for ${what} (${running ? "timed out" : "exited"}): ${await describe()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async signal(signal) {
      if (running) child.kill(signal);
      return exited;
    },
  };
}
