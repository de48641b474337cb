#!/usr/bin/env bash
# All set-up for a fresh clone, idempotent: Debian packages, Node LTS, npm ci,
# the Pulumi engine. Writes .local/env.sh, which scripts/env.sh prints.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Daemons whose own checkers validate rendered configs, the tools they need,
# what reads and tests the on-host programs, and what builds and runs the lab VMs.
DEBIAN_PACKAGES=(keepalived nginx-light squid drbd-utils corosync pacemaker-cli-utils ipvsadm iproute2 iputils-ping util-linux golang-go npm
  qemu-system-x86 qemu-utils mmdebstrap e2fsprogs openssh-client graphviz shellcheck bats)
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A system Go newer than Debian's is fine; Debian's golang-go is only a fallback.
if command -v go >/dev/null; then missing=("${missing[@]/golang-go}"); fi
if command -v npm >/dev/null; then missing=("${missing[@]/npm}"); fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  # Packaged daemons must not start on this machine: their configs are only checked here.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_bin=$(bash "$ROOT/scripts/setup-node.sh")
export PATH="$node_bin:$PATH"
if [[ ! -d "$ROOT/node_modules" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
  say "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

export PULUMI_HOME="$LOCAL/pulumi-home"
pulumi_bin=$(bash "$ROOT/scripts/setup-pulumi.sh")
mkdir -p "$LOCAL/backend"
cat >"$LOCAL/env.sh" <<ENV
export PATH="$pulumi_bin:$node_bin:$ROOT/node_modules/.bin:\$PATH"
export PULUMI_HOME="$PULUMI_HOME"
export PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://$LOCAL/backend}"
export PULUMI_CONFIG_PASSPHRASE="\${PULUMI_CONFIG_PASSPHRASE-$LAB_PASSPHRASE}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
ENV
