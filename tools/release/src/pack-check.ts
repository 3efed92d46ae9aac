// What a packed tarball must hold: its package.json, README.md and LICENSE, the built dist/
// and nothing else (no sources, tests, configs or stray files), every file its package.json
// points users at, and no `workspace:` ranges left in its dependencies (pnpm rewrites them
// on pack; one left behind would be uninstallable).

export interface PackedManifest {
  readonly name?: string;
  readonly main?: string;
  readonly module?: string;
  readonly types?: string;
  readonly bin?: string | Record<string, string>;
  readonly exports?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** The condition that points the workspace's own tools at src/; never used by installs. */
export const SOURCE_CONDITION = "@kytos-events/source";

const REQUIRED = ["package.json", "README.md", "LICENSE"];

/** Problems with a tarball's files (paths relative to the package root), one line each. */
export function checkPackedFiles(manifest: PackedManifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  const present = new Set(files.map(normalize));
  for (const file of present) {
    if (!REQUIRED.includes(file) && !file.startsWith("dist/")) {
      problems.push(`packs ${file}, which users do not need (only dist/, package.json, README.md, LICENSE)`);
    }
  }
  for (const file of REQUIRED) if (!present.has(file)) problems.push(`does not pack ${file}`);
  if (![...present].some((file) => file.startsWith("dist/"))) {
    problems.push("packs no dist/: build the package first (pnpm build)");
    return problems;
  }
  for (const [field, target] of entryPoints(manifest)) {
    if (!present.has(normalize(target)))
      problems.push(`${field} points at ${target}, which is not in the tarball`);
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith("workspace:"))
        problems.push(`${field}.${dep} is still "${range}" in the packed package.json`);
    }
  }
  return problems;
}

/** Every file the manifest points at, as [where, path]. */
function entryPoints(manifest: PackedManifest): [string, string][] {
  const found: [string, string][] = [];
  for (const field of ["main", "module", "types"] as const) {
    const value = manifest[field];
    if (value !== undefined) found.push([field, value]);
  }
  if (typeof manifest.bin === "string") found.push(["bin", manifest.bin]);
  else for (const [name, path] of Object.entries(manifest.bin ?? {})) found.push([`bin.${name}`, path]);
  walkExports(manifest.exports, "exports", found);
  return found;
}

function walkExports(node: unknown, where: string, found: [string, string][]): void {
  if (typeof node === "string") {
    if (!node.includes("*")) found.push([where, node]);
    return;
  }
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) walkExports(item, `${where}[${i}]`, found);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (key === SOURCE_CONDITION) continue;
    walkExports(value, `${where}["${key}"]`, found);
  }
}

function normalize(path: string): string {
  return path.replace(/^\.\//, "");
}
