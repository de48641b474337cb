#!/usr/bin/env bash
# Prints the directory holding `pulumi` and `pulumi-language-nodejs`.
# Uses a pulumi >= 3 already on PATH; otherwise builds both, pinned by the
# go.mod/go.sum under scripts/pulumi/, from the Go module proxy into
# .local/pulumi-<version>/bin, and reuses that build while the pins are unchanged.
# Also installs the command provider plugin into PULUMI_HOME when it can be built.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if command -v pulumi >/dev/null && [[ "$(pulumi version 2>/dev/null)" == v3.* ]] \
   && [[ "$(command -v pulumi)" != "$LOCAL"/* ]]; then
  dirname "$(command -v pulumi)"
  exit 0
fi
command -v go >/dev/null || die "Go is needed to build the Pulumi engine (apt-get install golang, or https://go.dev)"

bin="$LOCAL/pulumi-$PULUMI_VERSION/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly

# build NAME PACKAGE VERSION: rebuild only when the pins changed since the last build.
build() {
  local name=$1 pkg=$2 version=$3 src="$ROOT/scripts/pulumi/$1"
  local stamp; stamp=$(cat "$src"/go.mod "$src"/go.sum 2>/dev/null | sha256sum | cut -c1-16)
  if [[ -x "$bin/$name.real" && "$(cat "$bin/$name.stamp" 2>/dev/null)" == "$stamp" ]]; then
    return 0
  fi
  say "building $name $version from the Go module proxy (first run only; the CLI takes about 7 minutes on 2 cores)"
  (cd "$src" && go build -trimpath -tags osusergo,grpcnotrace \
     -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
     -o "$bin/$name.real" "$pkg")
  echo "$stamp" >"$bin/$name.stamp"
}

build cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "v$PULUMI_VERSION"
# The language host's own module is not served by the proxy; sdk/v3 up to v3.68.0
# still carried it as a package, and it speaks the same language-host protocol.
build language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs v3.68.0
ln -sf cli.real "$bin/pulumi"
ln -sf language-nodejs.real "$bin/pulumi-language-nodejs"

# The command provider, at the version npm @pulumi/command installed.
want=$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/command/package.json" 2>/dev/null || true)
export PULUMI_HOME="${PULUMI_HOME:-$LOCAL/pulumi-home}"
if [[ -n "$want" ]] && ! "$bin/pulumi" plugin ls 2>/dev/null | grep -Eq "^command +resource +$want "; then
  log="$LOCAL/command-provider-build.log"
  if (cd "$ROOT/scripts/pulumi/command" && GOFLAGS=-mod=mod go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$want" \
        -o "$bin/pulumi-resource-command" github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command) >"$log" 2>&1; then
    "$bin/pulumi" plugin install resource command "$want" --file "$bin/pulumi-resource-command" >&2
  else
    say "the command provider $want could not be built; deployments over SSH are unavailable:"
    grep -m2 -E 'Forbidden|not available|error' "$log" | sed 's/^/[dsas]   /' >&2 || true
  fi
fi
echo "$bin"
