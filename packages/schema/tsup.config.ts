// Builds @kytos-events/schema: ESM + CJS + type declarations for the main entry and the
// fixtures subpath (controller JSON for every event, for tests and demos).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "fixtures/index": "src/fixtures/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
