// `.ci/checks/changesets.sh`: runs the changeset gate on the repository around the current
// directory and exits 1 when it fails. RELEASE_BASE=<rev> sets the baseline explicitly.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { checkChangesets } from "./changeset-gate.js";
import { Git } from "./git.js";

const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
const git = new Git(root);

// The baselines need the history since each package's last release; a shallow CI clone may
// not have it. Unshallowing once is cheaper than guessing a depth.
if (git.isShallow()) {
  try {
    git.run(["fetch", "-q", "--unshallow"]);
  } catch {
    // reported below
  }
  if (git.isShallow()) {
    console.error(
      "changesets: this is a shallow clone and `git fetch --unshallow` failed; the gate needs the history " +
        "since each package's last release (clone with full history, e.g. actions/checkout fetch-depth: 0).",
    );
    process.exit(1);
  }
}

try {
  const result = checkChangesets(git, {
    buf: join(root, "node_modules", ".bin", "buf"),
    ...(process.env.RELEASE_BASE ? { explicit: process.env.RELEASE_BASE } : {}),
  });
  for (const line of result.lines) console.log(line);
  console.log(result.ok ? "changesets: ok" : "changesets: FAILED (see ✗ above)");
  process.exit(result.ok ? 0 : 1);
} catch (err) {
  console.error(`changesets: ${(err as Error).message}`);
  process.exit(1);
}
