// Builds @kytos-events/core: ESM + CJS + declarations for the main entry and the contract
// test kit subpath (imported only by transports' tests, so vitest stays an optional peer).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "testkit/index": "src/testkit/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["vitest"],
});
