#!/usr/bin/env bats
# dsas-drift: each kind of live state against what was deployed, with fake
# systemctl, sysctl, ip, ipvsadm-save and ipvsadm; the IPVS table sorted into
# drift and runtime state for keepalived and for static rules, and the repair
# of a keepalived table that runs only the drift's fixes.

load helper

setup() {
  common_setup
  LIVE=$BATS_TEST_TMPDIR/live
  RULES=$BATS_TEST_TMPDIR/ipvs.rules
  cat >"$RULES" <<'RULES'
-A -t 10.10.31.100:80 -s wrr
-a -t 10.10.31.100:80 -r 192.168.31.101:80 -m -w 2
-a -t 10.10.31.100:80 -r 192.168.31.102:80 -m -w 1
-A -t 10.10.31.100:25 -s wlc -p 300
-a -t 10.10.31.100:25 -r 192.168.31.111:25 -m -w 1
#sorry -t 10.10.31.100:80 -r 192.168.31.120:80
RULES
  grep -v '^#' "$RULES" >"$LIVE"
  fake ipvsadm-save "cat '$LIVE'"
  fake ipvsadm
}

drift() { run --separate-stderr "$LIBEXEC/dsas-drift" "$@"; }

@test "a table as configured: nothing found, nothing run" {
  drift ipvs keepalived "$RULES"
  [ "$status" -eq 0 ] || { echo "$stderr"; false; }
  [ -z "$output" ]
  drift ipvs static "$RULES"
  [ -z "$output" ]
  [ -z "$(calls ipvsadm)" ]
}

@test "keepalived: a service deleted, a service edited, a service and a real server added by hand are drift; a failed check, a drain and the sorry server are runtime state" {
  sed -i '/10.10.31.100:25/d; /192.168.31.102:80/s/-w 1/-w 0/; /192.168.31.101:80/d; s/^-A -t 10.10.31.100:80 -s wrr$/-A -t 10.10.31.100:80 -s rr/' "$LIVE"
  cat >>"$LIVE" <<'LIVE'
-a -t 10.10.31.100:80 -r 192.168.31.120:80 -m -w 1
-a -t 10.10.31.100:80 -r 192.168.31.199:80 -m -w 1
-a -t 10.10.31.100:80 -r 192.168.31.103:80 -m -w 0
-A -u 10.10.31.100:53 -s rr
LIVE
  drift ipvs keepalived "$RULES"
  [ "$status" -eq 0 ]
  [ "$output" = "IPVS: virtual service TCP 10.10.31.100:80 is not as configured (-s wrr)
runtime: real server 192.168.31.101:80 of TCP 10.10.31.100:80 is out of the table (its check is failing)
runtime: real server 192.168.31.102:80 of TCP 10.10.31.100:80 has another weight than configured (drain?)
IPVS: virtual service TCP 10.10.31.100:25 is missing from the kernel table
runtime: sorry server 192.168.31.120:80 of TCP 10.10.31.100:80 is in use
IPVS: real server 192.168.31.199:80 of TCP 10.10.31.100:80 is in the kernel table but not in the configuration
runtime: real server 192.168.31.103:80 of TCP 10.10.31.100:80 is draining
IPVS: virtual service UDP 10.10.31.100:53 is in the kernel table but not in the configuration" ] || { echo "$output"; false; }
  [ -z "$(calls ipvsadm)" ]
}

@test "keepalived repair: waits for the table to hold still, then runs only the fixes of the drift, a missing service with its real servers" {
  sed -i '/10.10.31.100:25/d; /192.168.31.101:80/d' "$LIVE"
  echo '-a -t 10.10.31.100:80 -r 192.168.31.199:80 -m -w 1' >>"$LIVE"
  fake sleep
  DSAS_REPAIR=1 drift ipvs keepalived "$RULES"
  [ "$status" -eq 0 ]
  [ "$output" = "ipvsadm -A -t 10.10.31.100:25 -s wlc -p 300
ipvsadm -a -t 10.10.31.100:25 -r 192.168.31.111:25 -m -w 1
ipvsadm -d -t 10.10.31.100:80 -r 192.168.31.199:80" ]
  [ "$(calls ipvsadm)" = "ipvsadm -A -t 10.10.31.100:25 -s wlc -p 300
ipvsadm -a -t 10.10.31.100:25 -r 192.168.31.111:25 -m -w 1
ipvsadm -d -t 10.10.31.100:80 -r 192.168.31.199:80" ]
  [ "$(calls sleep)" = "sleep 1" ]
}

@test "static rules: every difference is drift, and its apply hook (dsas-ipvs-sync) is the repair" {
  sed -i '/192.168.31.102:80/s/-w 1/-w 4/; /192.168.31.111:25/d' "$LIVE"
  drift ipvs static "$RULES"
  [ "$status" -eq 0 ]
  [ "$output" = "IPVS: real server 192.168.31.102:80 of TCP 10.10.31.100:80 is not as configured
IPVS: real server 192.168.31.111:25 of TCP 10.10.31.100:25 is missing from the kernel table" ]
  DSAS_REPAIR=1 drift ipvs static "$RULES"
  [ -z "$(calls ipvsadm)" ]
}

@test "units, kernel settings, lo addresses and the default route" {
  fake systemctl '[ "$3" != keepalived ]'
  drift unit keepalived nginx
  [ "$output" = "keepalived is not running" ]

  printf '# a comment\nnet.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.conf.lo.arp_announce=2\n' >"$BATS_TEST_TMPDIR/dr.conf"
  fake sysctl 'case $2 in *arp_ignore) echo 0 ;; *) echo 2 ;; esac'
  drift sysctl "$BATS_TEST_TMPDIR/dr.conf"
  [ "$output" = "sysctl net.ipv4.conf.all.arp_ignore is 0, $BATS_TEST_TMPDIR/dr.conf sets 1" ]

  fake ip 'case $* in *"addr show dev lo") echo "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever"; echo "1: lo    inet 10.10.31.100/32 scope global lo\\       valid_lft forever" ;; *) echo "default via 192.168.31.1 dev eth0" ;; esac'
  drift lo 10.10.31.100 10.10.31.101
  [ "$output" = "10.10.31.101/32 is not on lo" ]
  drift route 192.168.31.1
  [ -z "$output" ]
  drift route 192.168.31.10
  [ "$output" = "the default route is not via 192.168.31.10" ]
}
