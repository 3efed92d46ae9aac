// One vitest run, two projects: `unit` (beside each package's code, no servers) and
// `integration` (real Kafka, RabbitMQ, Redis, PostgreSQL; brokers started or attached by the
// global setup). Integration tests are the files named `*.int.test.ts`, wherever they live.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// Workspace packages resolve to their sources so tests never run against a stale build.
// Only the published packages under packages/ are aliased; tools/ resolve through the workspace.
const published = readdirSync(new URL("./packages", import.meta.url)).join("|");
const alias = [
  { find: new RegExp(`^@kytos-events/(${published})$`), replacement: `${root}packages/$1/src/index.ts` },
  {
    find: new RegExp(`^@kytos-events/(${published})/([a-z-]+)$`),
    replacement: `${root}packages/$1/src/$2/index.ts`,
  },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["{packages,tools,examples}/*/src/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: [
            "test/**/*.int.test.ts",
            "{packages,tools,examples}/*/src/**/*.int.test.ts",
            "examples/*/test/**/*.int.test.ts",
          ],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./test/setup/brokers.global.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Broker tests share one Kafka and one RabbitMQ; files run one at a time so a
          // broker restart in one file never lands in the middle of another.
          fileParallelism: false,
        },
      },
    ],
  },
});
