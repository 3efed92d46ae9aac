// What a package's changes are measured against.
//
// On main (HEAD is main or an ancestor of it): the package's last release, i.e. the newest
// commit that changed the `version` in its package.json — the commit `changeset version`
// makes, which also consumes every changeset before it. Everything after it is unreleased and
// must be described by a changeset still pending at HEAD. A package never released is
// measured from the start of history. Tags are not used: a CI clone often has none.
//
// On a branch (HEAD not contained in main, e.g. a pull request): the merge base with main, so
// the branch must bring its own changesets; what main already owes is main's business.
//
// RELEASE_BASE=<rev> overrides both (e.g. a release tag), for every package.
import type { Git } from "./git.js";

export type Baseline =
  | { readonly kind: "release"; readonly commit: string; readonly version: string }
  | { readonly kind: "never-released" }
  | { readonly kind: "branch"; readonly commit: string; readonly main: string }
  | { readonly kind: "explicit"; readonly commit: string };

export interface BaselineOptions {
  /** Refs that name main, first existing wins. Default ["origin/main", "main"]. */
  readonly mainRefs?: readonly string[];
  /** An explicit baseline revision (RELEASE_BASE). */
  readonly explicit?: string;
}

/** The branch or explicit baseline shared by every package, or undefined on main. */
export function sharedBaseline(git: Git, options: BaselineOptions): Baseline | undefined {
  if (options.explicit) {
    const commit = git.commit(options.explicit);
    if (!commit) throw new Error(`RELEASE_BASE=${options.explicit} is not a commit of this repository`);
    return { kind: "explicit", commit };
  }
  for (const ref of options.mainRefs ?? ["origin/main", "main"]) {
    const main = git.commit(ref);
    if (!main || git.isAncestor("HEAD", main)) continue;
    const base = git.mergeBase("HEAD", main);
    if (!base)
      throw new Error(`HEAD shares no history with ${ref}: fetch main's history to compare against it`);
    return { kind: "branch", commit: base, main: ref };
  }
  return undefined;
}

/** The newest commit that changed the `version` of the package.json at `manifest`. */
export function lastRelease(git: Git, manifest: string): Baseline {
  const candidates = git
    .run(["log", "--format=%H", "-G", '"version"', "HEAD", "--", manifest])
    .split("\n")
    .filter((id) => id !== "");
  for (const id of candidates) {
    const after = versionOf(git.show(id, manifest));
    const before = versionOf(git.show(`${id}^`, manifest));
    // A package.json appearing with its first version is the package's birth, not a release.
    if (before !== undefined && after !== undefined && before !== after) {
      return { kind: "release", commit: id, version: after };
    }
  }
  return { kind: "never-released" };
}

function versionOf(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  try {
    const v = (JSON.parse(json) as { version?: unknown }).version;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The git range of commits after the baseline. */
export function rangeAfter(baseline: Baseline): string {
  return baseline.kind === "never-released" ? "HEAD" : `${baseline.commit}..HEAD`;
}

export function describeBaseline(baseline: Baseline): string {
  switch (baseline.kind) {
    case "release":
      return `since its release ${baseline.version} (${baseline.commit.slice(0, 8)})`;
    case "never-released":
      return "since it was created (never released)";
    case "branch":
      return `on this branch (since the merge base ${baseline.commit.slice(0, 8)} with ${baseline.main})`;
    case "explicit":
      return `since RELEASE_BASE (${baseline.commit.slice(0, 8)})`;
  }
}
