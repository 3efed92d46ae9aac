#!/usr/bin/env bash
# Every publishable package packs cleanly and resolves for its users: publint checks the
# package.json/exports against the packed files; "are the types wrong" checks that ESM and CJS
# consumers (node16 resolution and bundlers) get the right JavaScript and declarations.
set -euo pipefail
root=$(pwd)
status=0
for pkg in packages/*/; do
  [ "$(node -p "require('./${pkg}package.json').private === true")" = true ] && continue
  name=$(node -p "require('./${pkg}package.json').name")
  echo "== $name"
  (cd "$pkg" && "$root/node_modules/.bin/publint" --strict) || status=1
  (cd "$pkg" && "$root/node_modules/.bin/attw" --pack . --profile node16 --format ascii) || status=1
done
exit $status
