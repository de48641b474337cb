#!/usr/bin/env bash
# Prints the directory holding `pulumi` and `pulumi-language-nodejs`.
# Uses a pulumi >= 3 already on PATH; otherwise builds both, pinned by the
# go.mod/go.sum under scripts/pulumi/, from the Go module proxy into
# .local/pulumi-<version>/bin, and reuses that build while the pins are unchanged.
# Also builds dsas-kit's provider plugin and installs it into PULUMI_HOME.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PULUMI_VERSION=$(pin pulumi)
grep -q "github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION\$" "$ROOT/scripts/pulumi/cli/go.mod" \
  || die "scripts/pulumi/cli/go.mod must pin github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION, the version package.json names (dsas.pulumi)"

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
build language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "v$(pin pulumiLanguageHost)"
rm -f "$bin/pulumi" && cp "$ROOT/scripts/pulumi/pulumi" "$bin/pulumi"
ln -sf language-nodejs.real "$bin/pulumi-language-nodejs"

# dsas-kit's own provider (provider/), at the package's version, which the components ask for.
want=$(pin version)
stamp=$(cat "$ROOT"/provider/go.mod "$ROOT"/provider/go.sum "$ROOT"/provider/*.go "$ROOT"/provider/libexec/* | sha256sum | cut -c1-16)
export PULUMI_HOME="${PULUMI_HOME:-$LOCAL/pulumi-home}"
if [[ "$(cat "$LOCAL/provider/stamp" 2>/dev/null)" != "$want $stamp" || ! -x "$PULUMI_HOME/plugins/resource-dsas-v$want/pulumi-resource-dsas" ]]; then
  say "building the dsas provider $want"
  mkdir -p "$LOCAL/provider"
  (cd "$ROOT/provider" && go build -trimpath -ldflags "-s -w -X main.version=$want" -o "$LOCAL/provider/pulumi-resource-dsas" .)
  "$bin/pulumi" plugin install resource dsas "$want" --file "$LOCAL/provider/pulumi-resource-dsas" --reinstall >&2
  echo "$want $stamp" >"$LOCAL/provider/stamp"
fi
echo "$bin"
