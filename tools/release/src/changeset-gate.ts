// The changeset gate: every unreleased change to what a package ships (its src/ minus tests,
// and proto/ for the schema) is described by a pending changeset naming that package, or is
// explicitly declared release-free by an empty changeset (`pnpm changeset --empty`) added in
// the same commit — on a branch, anywhere on the branch. And when `buf breaking` finds a
// wire-incompatible change in proto/ since the schema's baseline, the schema's pending
// changeset must be a major one. Baselines: see baseline.ts.
import {
  type Baseline,
  type BaselineOptions,
  describeBaseline,
  lastRelease,
  rangeAfter,
  sharedBaseline,
} from "./baseline.js";
import { type Changeset, isChangesetFile, parseChangesetFile, readChangesets } from "./changesets.js";
import type { CommitChange, Git } from "./git.js";
import { bufBreaking } from "./schema-breaking.js";
import {
  isShippedSource,
  type PublishedPackage,
  publishedPackages,
  resolveLayout,
  type WorkspaceLayout,
} from "./workspace.js";

export interface ChangesetGateOptions extends BaselineOptions, WorkspaceLayout {
  /** The buf executable, for the schema's breaking-change check. */
  readonly buf: string;
}

export interface GateResult {
  readonly ok: boolean;
  /** What was checked and found, one line each; failures start with "✗". */
  readonly lines: readonly string[];
}

const LISTED_COMMITS = 5;

export function checkChangesets(git: Git, options: ChangesetGateOptions): GateResult {
  const layout = resolveLayout(options);
  const packages = publishedPackages(git, "HEAD", layout);
  const names = new Set(packages.map((p) => p.name));
  const pending = readChangesets(git, "HEAD", names);
  const lines = pending.problems.map((p) => `✗ ${p}`);
  let ok = pending.problems.length === 0;
  const shared = sharedBaseline(git, options);
  for (const pkg of packages) {
    const baseline = shared ?? lastRelease(git, `${pkg.dir}/package.json`);
    const covering = pending.changesets
      .filter((c) => c.releases.some((r) => r.name === pkg.name))
      .filter((c) => baseline.kind === "never-released" || git.show(baseline.commit, c.file) === undefined);
    const verdict = checkPackage(git, pkg, baseline, covering, names);
    lines.push(...verdict.lines);
    ok &&= verdict.ok;
    if (pkg.dir === layout.schemaDir) {
      const breaking = checkBreaking(git, pkg, baseline, covering, layout.protoDir, options.buf);
      lines.push(...breaking.lines);
      ok &&= breaking.ok;
    }
  }
  return { ok, lines };
}

function checkPackage(
  git: Git,
  pkg: PublishedPackage,
  baseline: Baseline,
  covering: readonly Changeset[],
  names: ReadonlySet<string>,
): GateResult {
  const where = `${pkg.name}: ${pkg.sources.join(" and ")}`;
  const changed = git
    .commits(rangeAfter(baseline), pkg.sources)
    .filter((c) => c.changes.some((change) => isShippedSource(change.path)));
  if (changed.length === 0)
    return { ok: true, lines: [`✓ ${where} unchanged ${describeBaseline(baseline)}`] };
  const count = `${changed.length} commit${changed.length === 1 ? "" : "s"}`;
  if (covering.length > 0) {
    const files = covering.map((c) => `${c.file} (${c.releases.find((r) => r.name === pkg.name)?.type})`);
    return {
      ok: true,
      lines: [
        `✓ ${where} changed in ${count} ${describeBaseline(baseline)}; described by ${files.join(", ")}`,
      ],
    };
  }
  const waived = commitsWithEmptyChangeset(git, baseline, names);
  const branchWide = baseline.kind === "branch" || baseline.kind === "explicit";
  const uncovered = branchWide && waived.size > 0 ? [] : changed.filter((c) => !waived.has(c.id));
  if (uncovered.length === 0) {
    return {
      ok: true,
      lines: [`✓ ${where} changed in ${count}, declared release-free by an empty changeset`],
    };
  }
  return {
    ok: false,
    lines: [
      `✗ ${where} changed in ${count} ${describeBaseline(baseline)} but no pending changeset names ${pkg.name}.`,
      `  Run \`pnpm changeset\` and pick ${pkg.name} (or \`pnpm changeset --empty\` in the same commit when users see no difference). Unreleased:`,
      ...uncovered.slice(0, LISTED_COMMITS).map(describeCommit),
      ...(uncovered.length > LISTED_COMMITS ? [`    … and ${uncovered.length - LISTED_COMMITS} more`] : []),
    ],
  };
}

/** Commits after the baseline that add a changeset releasing nothing. */
function commitsWithEmptyChangeset(git: Git, baseline: Baseline, names: ReadonlySet<string>): Set<string> {
  const ids = new Set<string>();
  for (const commit of git.commits(rangeAfter(baseline), [".changeset"])) {
    for (const { status, path } of commit.changes) {
      if (status !== "A" || !isChangesetFile(path)) continue;
      const parsed = parseChangesetFile(path, git.show(commit.id, path) ?? "", names);
      if (typeof parsed !== "string" && parsed.releases.length === 0) ids.add(commit.id);
    }
  }
  return ids;
}

function checkBreaking(
  git: Git,
  pkg: PublishedPackage,
  baseline: Baseline,
  covering: readonly Changeset[],
  protoDir: string,
  buf: string,
): GateResult {
  if (baseline.kind === "never-released") {
    return {
      ok: true,
      lines: [
        `✓ ${pkg.name}: buf breaking not applicable, no released contract yet (the first release sets it)`,
      ],
    };
  }
  const verdict = bufBreaking(git, "HEAD", baseline.commit, protoDir, buf);
  const since = describeBaseline(baseline);
  if (verdict.kind === "no-baseline") {
    return { ok: true, lines: [`✓ ${pkg.name}: buf breaking not applicable, no ${protoDir}/ ${since}`] };
  }
  if (verdict.kind === "compatible") {
    return { ok: true, lines: [`✓ ${pkg.name}: ${protoDir}/ is wire-compatible (buf breaking) ${since}`] };
  }
  const major = covering.find((c) => c.releases.some((r) => r.name === pkg.name && r.type === "major"));
  const report = verdict.report.split("\n").map((line) => `    ${line}`);
  if (major) {
    return {
      ok: true,
      lines: [
        `✓ ${pkg.name}: ${protoDir}/ has breaking changes ${since}, released as major by ${major.file}:`,
        ...report,
      ],
    };
  }
  return {
    ok: false,
    lines: [
      `✗ ${pkg.name}: buf breaking finds wire-incompatible changes in ${protoDir}/ ${since}, so the next ${pkg.name} must be a major release, but no pending changeset makes it major.`,
      `  Either make the change compatible (see ${protoDir}/README.md) or add a changeset with "${pkg.name}": major saying what consumers must do. buf says:`,
      ...report,
    ],
  };
}

function describeCommit(c: CommitChange): string {
  return `    ${c.id.slice(0, 8)} ${c.subject.length > 90 ? `${c.subject.slice(0, 89)}…` : c.subject}`;
}
