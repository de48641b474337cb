#!/usr/bin/env bash
# The main job, `npm run lab`: set-up; offline review (check, render) of the
# example stack with the articles' addresses; then a real deployment: the lab
# VMs booted, Pulumi.lab.yaml written for them, `pulumi up` of the lab stack
# through the engine and the dsas provider over SSH, and a short proof.
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

read -r -a hosts <<<"$(node lab/stack.ts hosts)"
say "lab up ${hosts[*]}"
node lab/lab.ts up "${hosts[@]}"
node lab/stack.ts write Pulumi.lab.yaml
pulumi stack select lab --non-interactive 2>/dev/null || pulumi stack init lab --non-interactive
# Lab-only secrets, set once; the SSH key is the lab's own.
for key in vrrpAuth drbdSecret mysqlCheckPassword; do
  pulumi config get "$key" --stack lab >/dev/null 2>&1 \
    || head -c 6 /dev/urandom | base64 | tr -d '/+=' | pulumi config set --secret "$key" --stack lab
done
pulumi config set --secret labSshKey --stack lab <"$LOCAL/lab/id_ed25519"

# What the stack serves but does not manage: nginx naming its host on the web
# servers, numbered objects on the client (the cache tier's origin), and
# MariaDB replicating from db1 to db2 and db3.
node --input-type=module -e '
const { ssh } = await import("./lab/vm.ts");
for (const h of ["web1", "web2"]) ssh(h, `echo ${h} >/var/www/html/index.html && systemctl start nginx`);
ssh("client", "mkdir -p /var/www/html/img && for i in $(seq 1 12); do head -c 20000 /dev/urandom >/var/www/html/img/$i.bin; done && touch -d 2020-01-01 /var/www/html/img/*.bin && systemctl start nginx");
'
pulumi config get mysqlCheckPassword --stack lab | node lab/replication.ts web1

say "pulumi up --stack lab"
pulumi up --yes --stack lab --non-interactive

say "proof: the VIPs and the IPVS table on the master, answers through the VIPs, the DRBD pair, the cache tier"
node --input-type=module -e '
const { ssh } = await import("./lab/vm.ts");
const show = (host, cmd) => { const r = ssh(host, cmd); process.stdout.write(`--- ${host}: ${cmd}\n${r.stdout}${r.stderr}`); };
// On a first deploy the backup, started first, holds the VIPs until the master preempts it.
show("lb1", "for i in $(seq 30); do ip -4 -o addr show | grep -q \" 10.10.31.100/\" && break; sleep 1; done; ip -4 -brief addr show | grep -v ^lo");
// The replication check passes after a few delay_loops.
show("lb1", "for i in $(seq 60); do [ $(ipvsadm -Ln -t 192.168.31.20:3306 | grep -c Route) = 2 ] && break; sleep 1; done; ipvsadm -Ln");
show("client", "for i in 1 2 3 4 5 6; do curl -s -m 5 http://10.10.31.100/; done");
show("web1", "for i in 1 2 3 4; do mysql --defaults-extra-file=/root/app.cnf -h 192.168.31.20 -N -e \"SELECT @@hostname\"; done");
show("nfs1", "drbdadm role r0; drbdadm cstate r0; drbdadm dstate r0");
show("client", "for i in 1 2 3; do curl -s -o /dev/null -D - http://10.0.1.10/img/1.bin | grep -i ^x-cache:; done");
'
