// `.ci/checks/release.sh`: packs every published package with `pnpm pack` (the tarball
// `pnpm publish` would upload) and checks its contents with checkPackedFiles. Needs the build.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPackedFiles, type PackedManifest } from "./pack-check.js";

const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const out = mkdtempSync(join(tmpdir(), "kytos-pack-"));
let failed = 0;
try {
  for (const dir of readdirSync(join(root, "packages")).sort()) {
    const pkgDir = join(root, "packages", dir);
    let manifest: PackedManifest & { private?: boolean };
    try {
      manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest.private === true) continue;
    const packed = JSON.parse(
      execFileSync("pnpm", ["pack", "--json", "--pack-destination", out], { cwd: pkgDir, encoding: "utf8" }),
    ) as { filename: string; files: { path: string }[] };
    const packedManifest = JSON.parse(
      execFileSync("tar", ["-xzOf", packed.filename, "package/package.json"], { encoding: "utf8" }),
    ) as PackedManifest;
    const files = packed.files.map((f) => f.path);
    const problems = checkPackedFiles(packedManifest, files);
    const kb = (statSync(packed.filename).size / 1024).toFixed(1);
    console.log(
      `${problems.length === 0 ? "✓" : "✗"} ${manifest.name}: ${files.length} files, ${kb} kB packed`,
    );
    for (const p of problems) console.log(`    ${p}`);
    if (problems.length > 0) failed++;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(
  failed === 0
    ? "pack: every package packs what it needs and nothing else"
    : `pack: ${failed} package(s) FAILED`,
);
process.exit(failed === 0 ? 0 : 1);
