// Builds the plugin's executable: buf runs dist/protoc-gen-kytos.js with node (see buf.gen.yaml).
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { "protoc-gen-kytos": "src/protoc-gen-kytos.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  clean: true,
  sourcemap: true,
});
