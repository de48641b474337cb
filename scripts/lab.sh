#!/usr/bin/env bash
# The main job, `npm run lab`, on the embedded default stack (Pulumi.example.yaml):
# set-up, offline validation and rendering, then `pulumi preview --diff` of the
# stack through the real engine. Deployment to lab VMs comes with lab/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh"
. "$LOCAL/env.sh"
cd "$ROOT"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-$LAB_PASSPHRASE}"

say "dsas check Pulumi.example.yaml"
node bin/dsas.ts check Pulumi.example.yaml
say "dsas render Pulumi.example.yaml --out .local/render/example"
rm -rf "$LOCAL/render/example"
node bin/dsas.ts render Pulumi.example.yaml --out "$LOCAL/render/example"
pulumi stack select example --non-interactive 2>/dev/null || pulumi stack init example --non-interactive
say "pulumi preview --diff --stack example"
pulumi preview --diff --stack example --non-interactive
