#!/usr/bin/env bash
# Release gate: every unreleased change to a package's src/ (tests aside) or to proto/ is
# described by a pending changeset naming that package, or declared release-free by an empty
# changeset in the same commit; a wire-breaking proto/ change (buf breaking against the
# schema's last release) needs a major changeset for @kytos-events/schema. Baselines (last
# release on main, merge base on a branch, RELEASE_BASE to override): docs/RELEASING.md.
set -euo pipefail
exec pnpm exec tsx tools/release/src/changesets-cli.ts
