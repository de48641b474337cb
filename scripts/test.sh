#!/usr/bin/env bash
# The test suite, with its own set-up.
#   npm test             everything: types, the provider's Go tests, the
#                        on-host programs (shellcheck, bats), then every
#                        vitest tier, the lab VMs last
#   npm run test:unit    the quick loop: what needs neither root nor VMs
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh"
. "$LOCAL/env.sh"
cd "$ROOT"
# Each step says when it starts, in seconds since the run began (set-up included).
step() { say "at ${SECONDS}s: $*"; }
if [[ "${1:-}" != unit ]]; then
  # The lab's VMs boot in the background from fresh disks, a few at a time,
  # while the tiers before the lab run; the lab's test files wait for them.
  # Those the files use, in the order the files run (the first file's first);
  # each is paused once up, and each file resumes only the ones it uses, so
  # idle guests do not take the CPU the working ones need.
  node lab/lab.ts reset >/dev/null 2>&1
  mkdir -p "$LOCAL/lab"
  step "lab up, in the background (progress: .local/lab/boot.log)"
  node lab/lab.ts up --paused lb1 lb2 web1 web2 client nfs1 nfs2 db1 db2 db3 slb1 slb2 cache1 cache2 front >"$LOCAL/lab/boot.log" 2>&1 &
fi
step "type check"
tsc --noEmit -p .
step "go test ./provider"
(cd provider && go test ./...)
mapfile -t programs < <(grep -l '^#!/bin/sh' provider/libexec/*)
step "shellcheck ${programs[*]}"
shellcheck "${programs[@]}"
if [[ "${1:-}" == unit ]]; then
  vitest run --project unit
  exit 0
fi
step "bats test/libexec"
bats test/libexec
step "vitest run${*:+ $*}"
vitest run "$@"
