# Shared paths and helpers for the set-up scripts; sourced, not run.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"

# A pinned version from package.json's "dsas" (or "version"): the one file of
# versions the shell, TypeScript and the provider build all read. Needs a node.
pin() { (cd "$ROOT" && "${NODE:-node}" -p "const p = require('./package.json'); '$1' === 'version' ? p.version : p.dsas['$1']"); }

say() { printf '[dsas] %s\n' "$*" >&2; }
die() { printf '[dsas] error: %s\n' "$*" >&2; exit 1; }

# Node >= 22.18 runs TypeScript by type stripping, which the tools here rely on.
node_ok() {
  local v
  v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 1
  IFS=. read -r major minor _ <<<"$v"
  (( major > 22 || (major == 22 && minor >= 18) ))
}
# The lab's stacks only; a production stack sets its own PULUMI_CONFIG_PASSPHRASE
# or uses another secrets provider.
LAB_PASSPHRASE=dsas-lab-only
