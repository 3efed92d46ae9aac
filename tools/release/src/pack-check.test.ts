import { describe, expect, it } from "vitest";
import { checkPackedFiles, type PackedManifest } from "./pack-check.js";

const manifest: PackedManifest = {
  name: "@kytos-events/x",
  main: "./dist/index.cjs",
  types: "./dist/index.d.ts",
  bin: { x: "./dist/bin.js" },
  exports: {
    ".": {
      "@kytos-events/source": "./src/index.ts",
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
    },
    "./package.json": "./package.json",
  },
  dependencies: { "@kytos-events/core": "1.2.3" },
};

const complete = [
  "package.json",
  "README.md",
  "LICENSE",
  "dist/index.js",
  "dist/index.cjs",
  "dist/index.d.ts",
  "dist/index.d.cts",
  "dist/bin.js",
];

describe("checkPackedFiles", () => {
  it("accepts dist/ with package.json, README.md and LICENSE, ignoring the source condition", () => {
    expect(checkPackedFiles(manifest, complete)).toEqual([]);
  });

  it("names every file users do not need", () => {
    expect(checkPackedFiles(manifest, [...complete, "src/index.ts", "tsup.config.ts"])).toEqual([
      "packs src/index.ts, which users do not need (only dist/, package.json, README.md, LICENSE)",
      "packs tsup.config.ts, which users do not need (only dist/, package.json, README.md, LICENSE)",
    ]);
  });

  it("requires README.md and LICENSE", () => {
    const files = complete.filter((f) => f !== "README.md" && f !== "LICENSE");
    expect(checkPackedFiles(manifest, files)).toEqual(["does not pack README.md", "does not pack LICENSE"]);
  });

  it("names each entry point whose file is missing, by where the manifest points at it", () => {
    const files = complete.filter((f) => f !== "dist/index.d.cts" && f !== "dist/bin.js");
    expect(checkPackedFiles(manifest, files)).toEqual([
      "bin.x points at ./dist/bin.js, which is not in the tarball",
      'exports["."]["require"]["types"] points at ./dist/index.d.cts, which is not in the tarball',
    ]);
  });

  it("says to build when dist/ is missing altogether", () => {
    expect(checkPackedFiles(manifest, ["package.json", "README.md", "LICENSE"])).toEqual([
      "packs no dist/: build the package first (pnpm build)",
    ]);
  });

  it("refuses workspace: ranges left in dependencies", () => {
    const leaked = { ...manifest, peerDependencies: { "@kytos-events/schema": "workspace:*" } };
    expect(checkPackedFiles(leaked, complete)).toEqual([
      'peerDependencies.@kytos-events/schema is still "workspace:*" in the packed package.json',
    ]);
  });
});
