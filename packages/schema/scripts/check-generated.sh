#!/usr/bin/env bash
# Generated code is committed (packages/schema/src/gen). This regenerates it from proto/ and
# fails when the result differs from what is committed: run `pnpm generate` and commit.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
gen=packages/schema/src/gen
pnpm generate >/dev/null
if [ -n "$(git status --porcelain -- "$gen")" ]; then
  echo "$gen is stale: run \`pnpm generate\` and commit the result. Differences:"
  git status --short -- "$gen"
  git --no-pager diff --stat -- "$gen"
  exit 1
fi
echo "$gen is up to date with proto/"
