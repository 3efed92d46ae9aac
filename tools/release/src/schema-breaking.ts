// `buf breaking` between two commits' copies of the Protobuf module. Both sides come from git
// (not the work tree), so the verdict belongs to the commits; plain copies also work in
// shallow clones and worktrees, where buf's own git input may not find a commit.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Git } from "./git.js";

export type BreakingVerdict =
  | { readonly kind: "compatible" }
  | { readonly kind: "breaking"; readonly report: string }
  | { readonly kind: "no-baseline" };

// buf's exit status when it ran and found problems (lint or breaking annotations); any other
// non-zero status means it could not run.
const BUF_FOUND_PROBLEMS = 100;

export function bufBreaking(
  git: Git,
  head: string,
  base: string,
  protoDir: string,
  buf: string,
): BreakingVerdict {
  if (git.show(base, `${protoDir}/buf.yaml`) === undefined) return { kind: "no-baseline" };
  const dir = mkdtempSync(join(tmpdir(), "kytos-buf-breaking-"));
  try {
    extract(git, head, protoDir, join(dir, "head"));
    extract(git, base, protoDir, join(dir, "base"));
    const run = spawnSync(
      buf,
      [
        "breaking",
        join(dir, "head", protoDir),
        "--against",
        join(dir, "base", protoDir),
        "--error-format",
        "text",
      ],
      { encoding: "utf8" },
    );
    if (run.status === 0) return { kind: "compatible" };
    const output = `${run.stdout}${run.stderr}`.trim();
    if (run.status === BUF_FOUND_PROBLEMS) {
      // Paths in buf's report point into the temp copy; show them as repository paths.
      return { kind: "breaking", report: output.split(`${join(dir, "head")}/`).join("") };
    }
    throw new Error(
      `buf breaking could not run (exit ${run.status ?? run.signal}): ${output || run.error?.message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function extract(git: Git, rev: string, path: string, into: string): void {
  const tar = execFileSync("git", ["archive", "--format=tar", rev, "--", path], {
    cwd: git.root,
    maxBuffer: 256 * 1024 * 1024,
  });
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-x", "-C", into], { input: tar });
}
