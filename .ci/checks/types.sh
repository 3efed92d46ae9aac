#!/usr/bin/env bash
# Type tests (test/types) on the TypeScript versions consumers use, 5.9 and 5.4, compiled as a
# user compiles them: against the BUILT declarations in dist/ (needs `pnpm build`), with
# skipLibCheck off so our own .d.ts files are checked by each compiler too.
# One known exception, filtered and counted: @bufbuild/protobuf 2.x's declarations write
# `Uint8Array<ArrayBuffer>`, which TypeScript < 5.7 reports as TS2315 inside that package
# (users of 5.4 need skipLibCheck, the tsc --init default). Any other error fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
for pkg in schema core producer consumer otel; do
  if [ ! -f "packages/$pkg/dist/index.d.ts" ]; then
    echo "types: packages/$pkg/dist/index.d.ts is missing: run \`pnpm build\` first"
    exit 1
  fi
done
status=0
for tsc in node_modules/typescript/bin/tsc node_modules/typescript-5.4/bin/tsc; do
  version=$(node "$tsc" -v)
  out=$(node "$tsc" -p test/types/tsconfig.json 2>&1)
  known='^node_modules/\.pnpm/@bufbuild\+protobuf@[^/]+/node_modules/@bufbuild/protobuf/.*error TS2315: Type .Uint8Array. is not generic'
  filtered=$(printf '%s\n' "$out" | grep -Ev "$known" | grep -v '^$')
  skipped=$(printf '%s\n' "$out" | grep -Ec "$known")
  if [ -n "$filtered" ]; then
    echo "✗ $version: test/types does not compile against dist/:"
    printf '%s\n' "$filtered"
    status=1
  else
    note=""
    [ "$skipped" -gt 0 ] && note=" (ignored $skipped known TS2315 in @bufbuild/protobuf's own declarations)"
    echo "✓ $version: test/types compiles against dist/, every @ts-expect-error still an error$note"
  fi
done
exit $status
