// Makes sure a broker process never outlives the Node process that started it. An "exit"
// handler is not enough: vitest ends its worker processes, and Ctrl-C or SIGKILL end any
// process, without running it. So each broker gets a tiny detached shell that holds the read
// end of a pipe from this process; the kernel closes the pipe however this process dies,
// the shell sees end-of-file, kills the broker and deletes its directory.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";

// $1: the broker's pid, $2: its directory. The wait lets the broker's files close before the
// delete; it is bounded because a stuck zombie must not keep the guard around forever.
const SCRIPT = `read -r _
kill -CONT "$1" 2>/dev/null
kill -KILL "$1" 2>/dev/null
n=0
while kill -0 "$1" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -n "$2" ] && rm -rf "$2"
`;

export interface OrphanGuard {
  /** The broker exited on its own or was stopped: the guard has nothing left to do. */
  release(): void;
}

export function guardAgainstOrphan(pid: number, dir: string): OrphanGuard {
  const guard = spawn("/bin/sh", ["-c", SCRIPT, "kytos-events-broker-guard", String(pid), dir], {
    stdio: ["pipe", "ignore", "ignore"],
    // Its own session: a Ctrl-C that reaches this process group must not end the guard too.
    detached: true,
  });
  // Without /bin/sh only the owner's exit handler is left; that is no reason to fail a start.
  guard.once("error", () => {});
  guard.stdin?.once("error", () => {});
  guard.unref();
  (guard.stdin as Socket | null)?.unref();
  return {
    release() {
      guard.kill("SIGKILL");
    },
  };
}
