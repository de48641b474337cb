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
