// `pnpm docs:api` and `.ci/checks/api-docs.sh`: builds the API reference into docs/api/ with
// TypeDoc (typedoc.config.mjs) and judges its warnings with judgeTypedocLog. Needs the build:
// each package's types resolve its workspace dependencies through their dist/ declarations.
import { spawnSync } from "node:child_process";
import { judgeTypedocLog } from "./api-docs-check.js";
import { KNOWN_MISSING_EXPORTS } from "./api-docs-known.js";

const run = spawnSync("pnpm", ["exec", "typedoc", "--treatWarningsAsErrors", "false"], {
  encoding: "utf8",
  env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
});
const log = `${run.stdout}${run.stderr}`;
const verdict = judgeTypedocLog(log, KNOWN_MISSING_EXPORTS);
for (const line of verdict.lines) console.log(line);
if (run.status !== 0) {
  console.log(log.trim());
  console.log(`api docs: typedoc exited with ${run.status ?? run.signal}`);
  process.exit(1);
}
console.log(verdict.ok ? "api docs: docs/api built, no new warnings" : "api docs: FAILED (see ✗ above)");
process.exit(verdict.ok ? 0 : 1);
