// The few git questions the release gates ask, answered from commits only (never the work
// tree), so a gate's verdict is a function of HEAD and is the same in CI and on a laptop.
import { execFileSync } from "node:child_process";

export class Git {
  constructor(readonly root: string) {}

  run(args: readonly string[]): string {
    return execFileSync("git", args, {
      cwd: this.root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  /** The full commit id of a revision, or undefined when it does not exist. */
  commit(rev: string): string | undefined {
    try {
      return this.run(["rev-parse", "-q", "--verify", `${rev}^{commit}`]).trim();
    } catch {
      return undefined;
    }
  }

  isAncestor(ancestor: string, of: string): boolean {
    try {
      this.run(["merge-base", "--is-ancestor", ancestor, of]);
      return true;
    } catch {
      return false;
    }
  }

  mergeBase(a: string, b: string): string | undefined {
    try {
      return this.run(["merge-base", a, b]).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  isShallow(): boolean {
    return this.run(["rev-parse", "--is-shallow-repository"]).trim() === "true";
  }

  /** A file's content at a revision, or undefined when it is absent there. */
  show(rev: string, path: string): string | undefined {
    try {
      return this.run(["show", `${rev}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** Paths of the files at a revision under the given directories. */
  files(rev: string, dirs: readonly string[]): string[] {
    return this.run(["ls-tree", "-r", "--name-only", rev, "--", ...dirs])
      .split("\n")
      .filter((line) => line !== "");
  }

  /**
   * Non-merge commits in `range` (e.g. "base..HEAD", or "HEAD" for all history) that touch
   * `paths`, newest first, each with the paths it changed there and the status letter git
   * gives them (A added, M modified, D deleted, R renamed…).
   */
  commits(range: string, paths: readonly string[]): CommitChange[] {
    const out = this.run([
      "log",
      "--no-merges",
      "--no-renames",
      "--format=%x00%H%x09%s",
      "--name-status",
      range,
      "--",
      ...paths,
    ]);
    const commits: CommitChange[] = [];
    for (const block of out.split("\0").slice(1)) {
      const [head = "", ...lines] = block.split("\n");
      const [id = "", subject = ""] = head.split("\t");
      const changes = lines
        .filter((line) => line.includes("\t"))
        .map((line) => {
          const [status = "", path = ""] = line.split("\t");
          return { status: status[0] ?? "", path };
        });
      commits.push({ id, subject, changes });
    }
    return commits;
  }
}

export interface CommitChange {
  readonly id: string;
  readonly subject: string;
  readonly changes: readonly { readonly status: string; readonly path: string }[];
}
