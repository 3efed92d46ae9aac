#!/usr/bin/env bash
# `buf breaking` for proto/ against the contract as it was before this change, so a
# wire-incompatible schema change fails with buf's explanation. The baseline, first match wins:
#   BUF_BREAKING_AGAINST=<ref>      explicit (e.g. a release tag);
#   uncommitted changes in proto/   HEAD (what you are about to commit);
#   HEAD not on main                the merge base with main (a PR branch);
#   otherwise                       HEAD~1 (CI on main, including a clean single-branch clone).
# Skips (exit 0, says so) only when that baseline has no proto/ yet, or there is no earlier commit.
# Breaking changes pass only with a pending major changeset for @kytos-events/schema.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

pick_base() {
  if [ -n "${BUF_BREAKING_AGAINST:-}" ]; then echo "$BUF_BREAKING_AGAINST"; return; fi
  if ! git diff --quiet HEAD -- proto || [ -n "$(git ls-files --others --exclude-standard -- proto)" ]; then
    echo HEAD; return
  fi
  local main
  for main in origin/main main; do
    if git rev-parse -q --verify "$main^{commit}" >/dev/null && ! git merge-base --is-ancestor HEAD "$main"; then
      git merge-base HEAD "$main"; return
    fi
  done
  # A shallow CI clone may not have the parent yet.
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then git fetch -q --deepen=1 2>/dev/null || true; fi
  git rev-parse -q --verify "HEAD~1^{commit}" || true
}

base=$(pick_base)
if [ -z "$base" ] || ! git cat-file -e "$base:proto/buf.yaml" 2>/dev/null; then
  echo "buf breaking: skipped, no earlier commit with proto/ to compare against (baseline: ${base:-none})"
  exit 0
fi

# Compare against a plain copy of the baseline's proto/: works the same in worktrees and
# shallow clones, where buf's own .git input may not find the commit.
against=$(mktemp -d)
trap 'rm -rf "$against"' EXIT
git archive "$base" proto | tar -x -C "$against"
echo "buf breaking: proto/ against $(git rev-parse --short "$base") ($base)"
if pnpm exec buf breaking proto --against "$against/proto"; then
  echo "buf breaking: no wire-incompatible changes"
  exit 0
fi
# A breaking change is allowed when it is released as one: a pending changeset makes
# @kytos-events/schema major (.ci/checks/changesets.sh checks that against the last release).
if major=$(grep -lE "^[\"']?@kytos-events/schema[\"']?:[[:space:]]*major[[:space:]]*$" .changeset/*.md 2>/dev/null); then
  echo "buf breaking: the changes above are wire-incompatible, released as a major by: $major"
  exit 0
fi
echo "buf breaking: wire-incompatible changes; make them compatible or add a changeset with \"@kytos-events/schema\": major"
exit 1
