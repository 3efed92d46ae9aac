// The publishable packages of the workspace as a commit has them: every packages/*/package.json
// that is not private, with the paths whose changes reach its users.
import type { Git } from "./git.js";

export interface PublishedPackage {
  readonly name: string;
  readonly version: string;
  /** e.g. "packages/core" */
  readonly dir: string;
  /** Paths whose changes change what users get: the package's src/, and proto/ for the schema. */
  readonly sources: readonly string[];
}

export interface WorkspaceLayout {
  /** Where published packages live. Default "packages". */
  readonly packagesDir?: string;
  /** The package built from the Protobuf contract. Default "packages/schema". */
  readonly schemaDir?: string;
  /** The buf module. Default "proto". */
  readonly protoDir?: string;
}

export function resolveLayout(layout: WorkspaceLayout = {}): Required<WorkspaceLayout> {
  return {
    packagesDir: layout.packagesDir ?? "packages",
    schemaDir: layout.schemaDir ?? "packages/schema",
    protoDir: layout.protoDir ?? "proto",
  };
}

export function publishedPackages(
  git: Git,
  rev: string,
  layout: Required<WorkspaceLayout>,
): PublishedPackage[] {
  const prefix = `${layout.packagesDir}/`;
  const manifests = git
    .files(rev, [layout.packagesDir])
    .filter((path) => path.startsWith(prefix) && /^[^/]+\/package\.json$/.test(path.slice(prefix.length)));
  const packages: PublishedPackage[] = [];
  for (const path of manifests) {
    const manifest = JSON.parse(git.show(rev, path) ?? "{}") as {
      name?: string;
      version?: string;
      private?: boolean;
    };
    if (manifest.private === true || !manifest.name) continue;
    const dir = path.slice(0, -"/package.json".length);
    const sources = [`${dir}/src/`];
    if (dir === layout.schemaDir) sources.push(`${layout.protoDir}/`);
    packages.push({ name: manifest.name, version: manifest.version ?? "0.0.0", dir, sources });
  }
  return packages;
}

/** Test files live beside the code in src/ but are not part of the build users install. */
export function isShippedSource(path: string): boolean {
  return !/\.(test|int\.test|test-d)\.tsx?$/.test(path);
}
