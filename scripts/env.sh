#!/usr/bin/env bash
# Prints export lines for this project's Node, Pulumi engine and offline settings:
#   eval "$(npm run -s env)"
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh" >&2
cat "$LOCAL/env.sh"
