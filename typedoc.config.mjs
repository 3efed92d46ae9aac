// API reference for the published libraries (`pnpm docs:api` → docs/api/, gitignored; built in
// CI by .ci/checks/api-docs.sh after the build). TypeDoc runs in "packages" mode: each package
// is converted on its own, with its own tsconfig, so `validation.notExported` catches a public
// signature naming a type its package does not export. Warnings fail the build, except the
// missing exports listed in tools/release/src/api-docs-known.ts (see tools/release/src/api-docs-cli.ts).
//
// Each package's modules are `src/index.ts` plus `src/<subpath>/index.ts` for subpath exports.
// The check below keeps that glob honest: it must match exactly the files the `exports` maps
// name under their `@kytos-events/source` condition. The CLI is a command, not a library.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { OptionDefaults } from "typedoc";

const MODULES = "src/{index.ts,*/index.ts}";

const packages = [];
for (const dir of readdirSync("packages").sort()) {
  const path = `packages/${dir}/package.json`;
  if (!existsSync(path)) continue;
  const manifest = JSON.parse(readFileSync(path, "utf8"));
  if (manifest.private || typeof manifest.exports?.["."] !== "object") continue;
  const exported = Object.values(manifest.exports)
    .map((target) => (typeof target === "object" ? target["@kytos-events/source"] : undefined))
    .filter((source) => source !== undefined)
    .map((source) => source.replace(/^\.\//, ""))
    .sort();
  const globbed = [
    "src/index.ts",
    ...readdirSync(`packages/${dir}/src`, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(`packages/${dir}/src/${e.name}/index.ts`))
      .map((e) => `src/${e.name}/index.ts`),
  ].sort();
  if (exported.join() !== globbed.join()) {
    throw new Error(
      `typedoc: ${manifest.name} exports [${exported.join(", ")}] but ${MODULES} matches [${globbed.join(", ")}]; ` +
        "a src/<dir>/index.ts must be a subpath export (or be renamed).",
    );
  }
  packages.push(`packages/${dir}`);
}

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "kytos-events",
  entryPointStrategy: "packages",
  entryPoints: packages,
  packageOptions: {
    entryPoints: [MODULES],
    excludePrivate: true,
    excludeInternal: true,
    // No canonical source URL to link to; "Defined in" links would point nowhere.
    disableSources: true,
    // protoc-gen-es marks generated declarations with @generated.
    blockTags: [...OptionDefaults.blockTags, "@generated"],
  },
  out: "docs/api",
  readme: "README.md",
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: false },
};
