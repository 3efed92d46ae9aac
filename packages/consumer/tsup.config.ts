// Builds @kytos-events/consumer: ESM + CJS + declarations for the main entry and the two store
// subpaths, which keep ioredis and pg out of the main entry (they are optional peers).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "redis/index": "src/redis/index.ts",
    "postgres/index": "src/postgres/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["ioredis", "pg"],
});
