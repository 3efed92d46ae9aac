// The changeset gate on small throwaway git repositories shaped like this workspace: real git
// history, real changeset files, the real buf binary.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkChangesets, type GateResult } from "./changeset-gate.js";
import { Git } from "./git.js";

const buf = fileURLToPath(new URL("../../../node_modules/.bin/buf", import.meta.url));

const PROTO = `syntax = "proto3";
package acme.v1;
message Link {
  string id = 1;
  string name = 2;
}
`;

class Repo {
  readonly root = mkdtempSync(join(tmpdir(), "changeset-gate-"));
  readonly git = new Git(this.root);

  constructor() {
    this.git.run(["init", "-q", "-b", "main"]);
    this.write({
      "packages/schema/package.json": manifest("@acme/schema", "0.0.0"),
      "packages/schema/src/index.ts": "export const a = 1;\n",
      "packages/core/package.json": manifest("@acme/core", "0.0.0"),
      "packages/core/src/index.ts": "export const b = 1;\n",
      "packages/internal/package.json": JSON.stringify({ name: "@acme/internal", private: true }),
      "packages/internal/src/index.ts": "export const c = 1;\n",
      "proto/buf.yaml": "version: v2\nbreaking:\n  use:\n    - WIRE_JSON\n",
      "proto/acme/v1/link.proto": PROTO,
      ".changeset/README.md": "# Changesets\n",
    });
    this.commit("skeleton");
  }

  write(files: Record<string, string>): this {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), content);
    }
    return this;
  }

  remove(...paths: string[]): this {
    this.git.run(["rm", "-q", ...paths]);
    return this;
  }

  commit(subject: string): string {
    this.git.run(["add", "-A"]);
    this.git.run([
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@example.com",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      subject,
    ]);
    return this.git.run(["rev-parse", "HEAD"]).trim();
  }

  /** What `changeset version` commits: new versions, changesets consumed. */
  release(versions: Record<string, string>): void {
    for (const [dir, version] of Object.entries(versions)) {
      const name = dir === "schema" ? "@acme/schema" : "@acme/core";
      this.write({ [`packages/${dir}/package.json`]: manifest(name, version) });
    }
    const pending = this.git.files("HEAD", [".changeset"]).filter((f) => !f.endsWith("README.md"));
    if (pending.length > 0) this.remove(...pending);
    this.commit("Version packages");
  }

  check(options: { mainRefs?: string[]; explicit?: string } = {}): GateResult {
    return checkChangesets(this.git, { buf, mainRefs: ["main"], ...options });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function manifest(name: string, version: string): string {
  return `${JSON.stringify({ name, version, type: "module" }, null, 2)}\n`;
}

function changeset(releases: Record<string, string>, summary = "A change."): string {
  const lines = Object.entries(releases).map(([name, type]) => `"${name}": ${type}`);
  return `---\n${lines.join("\n")}\n---\n\n${summary}\n`;
}

const text = (r: GateResult) => r.lines.join("\n");

let repo: Repo;
afterEach(() => repo?.dispose());

describe("changeset gate on main", () => {
  it("fails when a package's src/ changed and no pending changeset names it, listing the commit", () => {
    repo = new Repo();
    repo.write({ "packages/core/src/index.ts": "export const b = 2;\n" }).commit("core: b is 2");
    const result = repo.check();
    expect(result.ok).toBe(false);
    expect(text(result)).toMatch(
      /✗ @acme\/core: packages\/core\/src\/ changed in \d+ commits? since it was created/,
    );
    expect(text(result)).toContain("core: b is 2");
    expect(text(result)).toContain("pnpm changeset");
  });

  it("passes when a pending changeset names every changed package", () => {
    repo = new Repo();
    repo
      .write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) })
      .commit("cs");
    repo.write({ "packages/core/src/index.ts": "export const b = 2;\n" }).commit("core: later change");
    const result = repo.check();
    expect(text(result)).toContain("described by .changeset/first.md (minor)");
    expect(result.ok).toBe(true);
  });

  it("needs no changeset for test files in src/ nor for private packages", () => {
    repo = new Repo();
    repo.write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) });
    repo.release({ core: "0.1.0", schema: "0.1.0" });
    repo
      .write({
        "packages/core/src/index.test.ts": "test\n",
        "packages/core/src/x.int.test.ts": "test\n",
        "packages/internal/src/index.ts": "export const c = 2;\n",
      })
      .commit("tests only");
    const result = repo.check();
    expect(text(result)).toContain("✓ @acme/core: packages/core/src/ unchanged since its release 0.1.0");
    expect(text(result)).not.toContain("@acme/internal");
    expect(result.ok).toBe(true);
  });

  it("counts a proto/ change as a change of the schema package", () => {
    repo = new Repo();
    repo.write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) });
    repo.release({ core: "0.1.0", schema: "0.1.0" });
    repo
      .write({ "proto/acme/v1/link.proto": PROTO.replace("}", "  string note = 3;\n}") })
      .commit("proto: note");
    const result = repo.check();
    expect(result.ok).toBe(false);
    expect(text(result)).toContain(
      "✗ @acme/schema: packages/schema/src/ and proto/ changed in 1 commit since its release 0.1.0",
    );
  });

  it("measures from the last release: released changes need nothing, later ones need a new changeset", () => {
    repo = new Repo();
    repo
      .write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) })
      .commit("cs");
    repo.write({ "packages/core/src/index.ts": "export const b = 2;\n" }).commit("core: before the release");
    repo.release({ core: "0.1.0", schema: "0.1.0" });
    expect(repo.check().ok).toBe(true);

    repo.write({ "packages/core/src/index.ts": "export const b = 3;\n" }).commit("core: after the release");
    const after = repo.check();
    expect(after.ok).toBe(false);
    expect(text(after)).toContain("since its release 0.1.0");
    expect(text(after)).toContain("core: after the release");
    expect(text(after)).not.toContain("core: before the release");
  });

  it("accepts an empty changeset added in the same commit, but not one added by a later commit", () => {
    repo = new Repo();
    repo.write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) });
    repo.release({ core: "0.1.0", schema: "0.1.0" });
    repo
      .write({
        "packages/core/src/index.ts": "// comment only\nexport const b = 1;\n",
        ".changeset/quiet.md": "---\n---\n\nComment.\n",
      })
      .commit("core: comment, with an empty changeset");
    const same = repo.check();
    expect(text(same)).toContain("declared release-free by an empty changeset");
    expect(same.ok).toBe(true);

    repo.write({ "packages/core/src/index.ts": "export const b = 9;\n" }).commit("core: real change");
    repo.write({ ".changeset/later.md": "---\n---\n\nNothing.\n" }).commit("an empty changeset, separately");
    const later = repo.check();
    expect(later.ok).toBe(false);
    expect(text(later)).toContain("core: real change");
    expect(text(later)).not.toContain("core: comment, with an empty changeset");
  });

  it("reports a changeset naming an unknown package or an invalid bump, by file", () => {
    repo = new Repo();
    repo
      .write({
        ".changeset/typo.md": changeset({ "@acme/cor": "minor" }),
        ".changeset/bump.md": changeset({ "@acme/core": "huge" }),
        ".changeset/ok.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }),
      })
      .commit("changesets");
    const result = repo.check();
    expect(result.ok).toBe(false);
    expect(text(result)).toContain(
      '✗ .changeset/typo.md: "@acme/cor" is not a published package of this workspace',
    );
    expect(text(result)).toContain(
      '✗ .changeset/bump.md: cannot be read as a changeset (invalid version type "huge" for package "@acme/core".)',
    );
  });
});

describe("changeset gate on a branch", () => {
  it("requires the branch's own changeset even when main already has one pending for the package", () => {
    repo = new Repo();
    repo
      .write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) })
      .commit("cs");
    repo.git.run(["checkout", "-q", "-b", "feature"]);
    repo.write({ "packages/core/src/index.ts": "export const b = 5;\n" }).commit("core: feature");
    const without = repo.check();
    expect(without.ok).toBe(false);
    expect(text(without)).toMatch(
      /✗ @acme\/core: .* on this branch \(since the merge base [0-9a-f]{8} with main\)/,
    );

    repo.write({ ".changeset/feature.md": changeset({ "@acme/core": "patch" }) }).commit("changeset");
    const withIt = repo.check();
    expect(text(withIt)).toContain("described by .changeset/feature.md (patch)");
    expect(withIt.ok).toBe(true);
  });

  it("takes an empty changeset anywhere on the branch as covering the branch", () => {
    repo = new Repo();
    repo
      .write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) })
      .commit("cs");
    repo.git.run(["checkout", "-q", "-b", "feature"]);
    repo.write({ "packages/core/src/index.ts": "export const b = 1; // why\n" }).commit("core: comment");
    repo.write({ ".changeset/quiet.md": "---\n---\n" }).commit("empty changeset");
    expect(repo.check().ok).toBe(true);
  });
});

describe("wire-breaking schema changes", () => {
  function released(): Repo {
    const r = new Repo();
    r.write({ ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }) });
    r.release({ core: "0.1.0", schema: "0.1.0" });
    return r;
  }

  it("require a major changeset for the schema package, quoting buf", () => {
    repo = released();
    repo
      .write({
        "proto/acme/v1/link.proto": PROTO.replace("  string name = 2;\n", ""),
        ".changeset/drop-name.md": changeset({ "@acme/schema": "minor" }),
      })
      .commit("proto: drop Link.name");
    const result = repo.check();
    expect(result.ok).toBe(false);
    expect(text(result)).toContain(
      "✗ @acme/schema: buf breaking finds wire-incompatible changes in proto/ since its release 0.1.0",
    );
    expect(text(result)).toMatch(
      /acme\/v1\/link\.proto.*Previously present field "2" with name "name" on message "Link" was deleted/,
    );
  });

  it("pass with a major changeset", () => {
    repo = released();
    repo
      .write({
        "proto/acme/v1/link.proto": PROTO.replace("  string name = 2;\n", ""),
        ".changeset/drop-name.md": changeset({ "@acme/schema": "major" }),
      })
      .commit("proto: drop Link.name");
    const result = repo.check();
    expect(text(result)).toMatch(
      /proto\/ has breaking changes since its release 0\.1\.0 \([0-9a-f]{8}\), released as major by \.changeset\/drop-name\.md/,
    );
    expect(result.ok).toBe(true);
  });

  it("are judged against the release, not the previous commit (a break hidden behind a later commit still counts)", () => {
    repo = released();
    repo
      .write({
        "proto/acme/v1/link.proto": PROTO.replace("  string name = 2;\n", ""),
        ".changeset/drop-name.md": changeset({ "@acme/schema": "minor" }),
      })
      .commit("proto: drop Link.name");
    repo.write({ "packages/schema/src/index.ts": "export const a = 2;\n" }).commit("schema: unrelated");
    expect(repo.check().ok).toBe(false);
  });

  it("leave compatible additions at any bump", () => {
    repo = released();
    repo
      .write({
        "proto/acme/v1/link.proto": PROTO.replace("}", "  string note = 3;\n}"),
        ".changeset/note.md": changeset({ "@acme/schema": "minor" }),
      })
      .commit("proto: add Link.note");
    const result = repo.check();
    expect(text(result)).toContain(
      "✓ @acme/schema: proto/ is wire-compatible (buf breaking) since its release 0.1.0 (",
    );
    expect(result.ok).toBe(true);
  });

  it("are not checked before the first release", () => {
    repo = new Repo();
    repo
      .write({
        "proto/acme/v1/link.proto": PROTO.replace("  string name = 2;\n", ""),
        ".changeset/first.md": changeset({ "@acme/core": "minor", "@acme/schema": "minor" }),
      })
      .commit("proto: drop Link.name before any release");
    const result = repo.check();
    expect(text(result)).toContain("no released contract yet");
    expect(result.ok).toBe(true);
  });
});

// The gate is only as good as the git plumbing under it: make sure a real commit count shows.
it("git helper lists non-merge commits with their changed paths", () => {
  repo = new Repo();
  const id = repo.write({ "packages/core/src/a.ts": "x\n" }).commit("core: a");
  const commits = repo.git.commits("HEAD~1..HEAD", ["packages/core/src/"]);
  expect(commits).toEqual([
    { id, subject: "core: a", changes: [{ status: "A", path: "packages/core/src/a.ts" }] },
  ]);
  expect(
    execFileSync("git", ["-C", repo.root, "rev-list", "--count", "HEAD"], { encoding: "utf8" }).trim(),
  ).toBe("2");
});
