#!/usr/bin/env bash
# The README's first command must work: the demo runs on the memory transport and exits 0
# only when every produced event was consumed.
set -euo pipefail
pnpm demo
