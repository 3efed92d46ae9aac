// The memory transport keeps records only in its process: a process that published events and
// is killed takes them with it, and a new process starting a memory transport sees none.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./memory-exit/child.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the child script; resolves with its first report and the child (still running or not). */
function child(env: Record<string, string>) {
  const proc = spawn(process.execPath, ["--import", "tsx", "--conditions=@kytos-events/source", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  const report = new Promise<{ kind: string; records: number }>((resolve, reject) => {
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line));
    });
    void exited.then((how) => reject(new Error(`child exited (${how}) before reporting: ${stderr}`)));
  });
  return { proc, report, exited };
}

describe("memory transport and process exit", () => {
  it("loses everything on process exit: a killed publisher's events are not seen by a new process", async () => {
    const publisher = child({ MODE: "publish", COUNT: "100" });
    try {
      // Published and held by the running process (100 link events in kytos.topology).
      expect((await publisher.report).records).toBe(100);
    } finally {
      publisher.proc.kill("SIGKILL");
    }
    expect(await publisher.exited).toBe("SIGKILL");

    const reader = child({ MODE: "read" });
    expect(await reader.report).toEqual({ kind: "read", records: 0 });
    expect(await reader.exited).toBe(0);
  });
});
