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
if [[ "${1:-}" != unit ]]; then
  # The lab's VMs boot in the background from fresh disks, a few at a time,
  # while the tiers before the lab run; the lab's test files wait for them.
  node lab/lab.ts reset >/dev/null 2>&1
  say "lab up, in the background (progress: .local/lab/boot.log)"
  node lab/lab.ts up >"$LOCAL/lab/boot.log" 2>&1 &
fi
say "type check"
tsc --noEmit -p .
say "go test ./provider"
(cd provider && go test ./...)
mapfile -t programs < <(grep -l '^#!/bin/sh' provider/libexec/*)
say "shellcheck ${programs[*]}"
shellcheck "${programs[@]}"
if [[ "${1:-}" == unit ]]; then
  vitest run --project unit
  exit 0
fi
say "bats test/libexec"
bats test/libexec
vitest run "$@"
