// Shared by the examples' integration tests. Runs the example the way its README does — the package's `start` script (tsx with the
// source condition) in the example's directory — and collects its output lines, so a test
// can wait for a line, send a signal, read the exit code — or kill it with everything it
// started (its own process group), as a crash would.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const binDir = fileURLToPath(new URL("../../node_modules/.bin", import.meta.url));

export interface ExampleProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the first stdout line (from `from` on) that satisfies `match`. */
  waitForLine(
    match: (line: string) => boolean,
    what: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<string>;
  /** Sends `signal` (to the start command; tsx passes it on) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL to the whole process group: no handler runs, nothing is settled or committed. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** `testUrl` is the calling test's `import.meta.url`; the example is the folder above its test/. */
export function startExample(
  testUrl: string,
  args: readonly string[],
  env: Record<string, string> = {},
): ExampleProcess {
  const exampleDir = fileURLToPath(new URL("..", testUrl));
  const script = JSON.parse(readFileSync(`${exampleDir}package.json`, "utf8")).scripts.start as string;
  const [command, ...scriptArgs] = script.split(" ");
  const child = spawn(`${binDir}/${command}`, [...scriptArgs, ...args], {
    cwd: exampleDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null, into: string[]) => {
    let rest = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      into.push(...parts);
    });
  };
  collect(child.stdout, stdout);
  collect(child.stderr, stderr);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout,
    stderr,
    exited,
    async waitForLine(match, what, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      for (;;) {
        const line = stdout.slice(options.from ?? 0).find(match);
        if (line !== undefined) return line;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `no line for ${what} (${child.exitCode === null ? "timed out" : `exited ${child.exitCode}`});\n` +
              `stdout:\n${stdout.join("\n")}\nstderr:\n${stderr.join("\n")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async kill() {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
