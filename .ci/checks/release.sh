#!/usr/bin/env bash
# Release gate: `pnpm pack` every published package (what `pnpm publish` uploads) and check the
# tarball holds dist/, package.json, README.md and LICENSE only, every file its package.json
# points at, and no workspace: ranges. Runs after the build.
set -euo pipefail
exec pnpm exec tsx tools/release/src/pack-cli.ts
