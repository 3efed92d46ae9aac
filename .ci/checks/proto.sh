#!/usr/bin/env bash
# Schema gates: buf lint, no breaking change against the last released schema, and generated
# code identical to what `pnpm generate` produces from proto/.
set -euo pipefail
pnpm buf lint proto
bash packages/schema/scripts/buf-breaking.sh
bash packages/schema/scripts/check-generated.sh
