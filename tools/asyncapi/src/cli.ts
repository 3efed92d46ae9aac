// `pnpm asyncapi`: writes docs/asyncapi.yaml. `--check`: exits 1 when the committed file
// differs from what would be generated now (run by .ci/checks/asyncapi.sh).
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderAsyncApiYaml } from "./render.js";

const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const target = join(root, "docs", "asyncapi.yaml");
const generated = formatLikeTheRepository(renderAsyncApiYaml());

/** biome formats YAML too (`pnpm lint` checks docs/), so the committed file is biome's output. */
function formatLikeTheRepository(yaml: string): string {
  const biome = join(root, "node_modules", ".bin", "biome");
  const run = spawnSync(biome, ["format", "--stdin-file-path=docs/asyncapi.yaml"], {
    input: yaml,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`biome format failed: ${run.stderr || run.error?.message}`);
  return run.stdout;
}

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {
    // reported as stale below
  }
  if (committed !== generated) {
    console.error("docs/asyncapi.yaml is stale: run `pnpm asyncapi` and commit the result.");
    process.exit(1);
  }
  console.log("docs/asyncapi.yaml is up to date with the schema registry and the default routing");
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target}`);
}
