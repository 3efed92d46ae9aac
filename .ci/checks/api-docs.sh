#!/usr/bin/env bash
# API reference: TypeDoc over every published library's public modules into docs/api/
# (gitignored). Fails on any TypeDoc warning — above all a public signature naming a type the
# package does not export — except the known ones in tools/release/src/api-docs-known.ts.
# Runs after the build (packages see each other through dist/ declarations).
set -euo pipefail
exec pnpm exec tsx tools/release/src/api-docs-cli.ts
