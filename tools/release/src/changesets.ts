// Changeset files as a commit has them: which packages each one releases and at what bump,
// read with the parser `changeset version` itself uses. A file that parser refuses, or one
// naming a package or bump that `changeset version` would reject, is reported here, at the
// commit that adds it, instead of on release day.
import parseChangeset from "@changesets/parse";
import type { Git } from "./git.js";

export const CHANGESET_DIR = ".changeset";

export type Bump = "major" | "minor" | "patch" | "none";

export interface Changeset {
  /** e.g. ".changeset/core-initial.md" */
  readonly file: string;
  readonly releases: readonly { readonly name: string; readonly type: Bump }[];
}

export interface ChangesetRead {
  readonly changesets: Changeset[];
  /** One line per unreadable changeset, naming the file and what is wrong. */
  readonly problems: string[];
}

/** True for a changeset file (not the directory's README or config). */
export function isChangesetFile(path: string): boolean {
  return path.startsWith(`${CHANGESET_DIR}/`) && path.endsWith(".md") && !path.endsWith("/README.md");
}

/** Parses one changeset; `published` are the package names it may name. */
export function parseChangesetFile(
  file: string,
  content: string,
  published: ReadonlySet<string>,
): Changeset | string {
  // The parser refuses a bump other than major, minor, patch or none.
  let releases: { name: string; type: Bump }[];
  try {
    releases = parseChangeset(content).releases;
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0]?.replace(/^could not parse changeset - /, "");
    return `${file}: cannot be read as a changeset (${reason}); a changeset starts with a front matter block of \`"<package>": major|minor|patch\` lines between --- lines`;
  }
  for (const r of releases) {
    if (!published.has(r.name)) {
      return `${file}: "${r.name}" is not a published package of this workspace (known: ${[...published].sort().join(", ")})`;
    }
  }
  return { file, releases };
}

/** Every changeset file present at `rev`. */
export function readChangesets(git: Git, rev: string, published: ReadonlySet<string>): ChangesetRead {
  const changesets: Changeset[] = [];
  const problems: string[] = [];
  for (const file of git.files(rev, [CHANGESET_DIR]).filter(isChangesetFile)) {
    const parsed = parseChangesetFile(file, git.show(rev, file) ?? "", published);
    if (typeof parsed === "string") problems.push(parsed);
    else changesets.push(parsed);
  }
  return { changesets, problems };
}
