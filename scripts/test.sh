#!/usr/bin/env bash
# The whole test suite, with its own set-up: `npm test`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh"
. "$LOCAL/env.sh"
cd "$ROOT"
say "type check"
tsc --noEmit -p .
vitest run "$@"
