#!/usr/bin/env bash
# Every publishable package packs cleanly and resolves for its users: publint checks the
# package.json/exports against the packed files; "are the types wrong" checks that ESM and CJS
# consumers (node16 resolution) and bundlers get the right JavaScript and declarations.
# node10 resolution is out of scope: our packages need Node >= 20, and node10 cannot see
# subpath exports at all (attw still reports those, so problems are filtered here). Packages
# with no importable entry (the CLI is only a bin) get publint alone.
set -euo pipefail
root=$(pwd)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
for pkg in packages/*/; do
  [ "$(node -p "require('./${pkg}package.json').private === true")" = true ] && continue
  name=$(node -p "require('./${pkg}package.json').name")
  echo "== $name"
  (cd "$pkg" && "$root/node_modules/.bin/publint" --strict) || status=1
  [ "$(node -p "Boolean(require('./${pkg}package.json').exports?.['.'])")" = true ] || continue
  # A file, not a pipe: attw exits before a large piped JSON is flushed.
  (cd "$pkg" && "$root/node_modules/.bin/attw" --pack . --format json > "$report" 2>/dev/null) || true
  node -e '
    const { analysis } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const problems = (analysis?.problems ?? [{ kind: "NoAnalysis" }]).filter((p) => p.resolutionKind !== "node10");
    for (const p of problems) console.log(`attw: ${p.kind} ${p.entrypoint ?? ""} (${p.resolutionKind ?? "all"})`);
    if (problems.length === 0) console.log("attw: types and JavaScript resolve for node16 (ESM, CJS) and bundlers");
    process.exit(problems.length === 0 ? 0 : 1);
  ' "$report" || status=1
done
exit $status
