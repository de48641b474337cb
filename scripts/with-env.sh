#!/usr/bin/env bash
# Runs a command with the project's Node and Pulumi, after the (idempotent) set-up.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh" >&2
. "$LOCAL/env.sh"
cd "$ROOT"
exec "$@"
