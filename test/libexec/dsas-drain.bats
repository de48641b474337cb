#!/usr/bin/env bats
# dsas-drain: which real servers leave (in the live list, not in the new one,
# in the kernel's table), weight 0 set in place with their own forwarding
# flags, the wait for their active connections and its messages, and the
# cases with nothing to do. ipvsadm-save prints $TABLE; ipvsadm -Ln reports
# for each real server the count in $CONNS/ADDRESS:PORT and lowers it by one
# each time it is asked (a count file holding "stuck" stays at 5). The clock
# is fake too: `sleep N` moves the `date +%s` of $CLOCK on by N seconds.

load helper

setup() {
  common_setup
  TABLE=$BATS_TEST_TMPDIR/table
  CONNS=$BATS_TEST_TMPDIR/conns
  mkdir -p "$CONNS" "$ROOT/etc"
  export TABLE CONNS
  LIST=$ROOT/etc/ipvsadm.drain
  export DSAS_NEW=$BATS_TEST_TMPDIR/new DSAS_SERVICE=ipvsadm
  mkdir -p "$DSAS_NEW$ROOT/etc"
  fake_clock
  fake ipvsadm-save 'cat "$TABLE"'
  # The director's addresses: the VIP 10.0.0.1 unless a test takes it away.
  ADDRS=$BATS_TEST_TMPDIR/addrs
  echo '2: eth0    inet 10.0.0.1/24 scope global eth0' >"$ADDRS"
  export ADDRS
  fake ip 'cat "$ADDRS"'
  fake ipvsadm '
[ "$1" = -Ln ] || exit 0
echo "IP Virtual Server version 1.2.1 (size=4096)"
echo "Prot LocalAddress:Port Scheduler Flags"
echo "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
echo "TCP  $3 wlc"
for f in "$CONNS"/*; do
  [ -e "$f" ] || continue
  n=$(cat "$f")
  if [ "$n" = stuck ]; then n=5; elif [ "$n" -gt 0 ]; then echo $((n - 1)) >"$f"; fi
  echo "  -> ${f##*/}                  Masq    0      $n          0"
done'
  cat >"$TABLE" <<'EOF'
-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3
-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1
-a -t 10.0.0.1:80 -r 10.0.1.3:80 -g -w 2
EOF
  cat >"$LIST" <<'EOF'
# Managed by dsas-kit.
-t 10.0.0.1:80 10.0.1.1:80 30
-t 10.0.0.1:80 10.0.1.2:80 1
-t 10.0.0.1:80 10.0.1.3:80 30
-t 10.0.0.1:80 10.0.1.9:80 30
EOF
}

drain() { PATH=$CLOCK_BIN:$PATH run --separate-stderr "$LIBEXEC/dsas-drain" "$LIST"; }

# new_list LINE...: the new drain list.
new_list() { printf '%s\n' '# Managed by dsas-kit.' "$@" >"$DSAS_NEW$LIST"; }

@test "a leaving real server gets weight 0 with its own flags, then the wait until its connections end" {
  new_list '-t 10.0.0.1:80 10.0.1.2:80 1' '-t 10.0.0.1:80 10.0.1.3:80 30'
  echo 2 >"$CONNS/10.0.1.1:80"
  drain
  [ "$status" -eq 0 ]
  [ "$(calls ipvsadm | grep -v -- ' -Ln ')" = "ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 0" ]
  [ "$output" = "ipvsadm: draining 10.0.1.1:80 from 10.0.0.1:80 (2 active connection(s), up to 30s)" ]
  # Asked until the count reached 0: 2, 1, then 0, a second apart.
  [ "$(calls ipvsadm | grep -c -- ' -Ln -t 10.0.0.1:80$')" -eq 3 ]
  [ "$(calls sleep)" = "sleep 1
sleep 1" ]
}

@test "one still busy when its seconds run out: the time-out message" {
  new_list '-t 10.0.0.1:80 10.0.1.1:80 30' '-t 10.0.0.1:80 10.0.1.3:80 30'
  echo stuck >"$CONNS/10.0.1.2:80"
  drain
  [ "$status" -eq 0 ]
  [ "$(calls ipvsadm | grep -v -- ' -Ln ')" = "ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 0" ]
  [ "$output" = "ipvsadm: draining 10.0.1.2:80 from 10.0.0.1:80 (5 active connection(s), up to 1s)
ipvsadm: 10.0.1.2:80 still had 5 active connection(s) on 10.0.0.1:80 after 1s; removed" ]
  [ "$(calls sleep)" = "sleep 1" ]
}

@test "each waits up to its own seconds, all in one wait" {
  sed -i 's/ 10.0.1.1:80 30$/ 10.0.1.1:80 3/' "$LIST"
  new_list '-t 10.0.0.1:80 10.0.1.3:80 30'
  echo stuck >"$CONNS/10.0.1.1:80"
  echo stuck >"$CONNS/10.0.1.2:80"
  drain
  [ "$status" -eq 0 ]
  [ "$output" = "ipvsadm: draining 10.0.1.1:80 from 10.0.0.1:80 (5 active connection(s), up to 3s)
ipvsadm: draining 10.0.1.2:80 from 10.0.0.1:80 (5 active connection(s), up to 1s)
ipvsadm: 10.0.1.2:80 still had 5 active connection(s) on 10.0.0.1:80 after 1s; removed
ipvsadm: 10.0.1.1:80 still had 5 active connection(s) on 10.0.0.1:80 after 3s; removed" ]
  [ "$(calls sleep | wc -l)" -eq 3 ]
}

@test "several leaving at once all get weight 0 before any wait; DR flags kept" {
  new_list '-t 10.0.0.1:80 10.0.1.2:80 1'
  echo 0 >"$CONNS/10.0.1.1:80"
  echo 0 >"$CONNS/10.0.1.3:80"
  drain
  [ "$status" -eq 0 ]
  [ "$(calls ipvsadm | head -n 2)" = "ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 0
ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.3:80 -g -w 0" ]
  [ -z "$output" ]
}

@test "a leaving real server the table does not have is left alone; staying ones are not touched" {
  new_list '-t 10.0.0.1:80 10.0.1.1:80 30' '-t 10.0.0.1:80 10.0.1.2:80 1' '-t 10.0.0.1:80 10.0.1.3:80 30'
  drain
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ -z "$(calls ipvsadm)" ]
}

@test "nothing to do without the live list, without the new one, or without ipvsadm" {
  new_list
  run "$LIBEXEC/dsas-drain" "$ROOT/etc/none.drain"
  [ "$status" -eq 0 ]
  rm "$DSAS_NEW$LIST"
  run "$LIBEXEC/dsas-drain" "$LIST"
  [ "$status" -eq 0 ]
  new_list
  rm "$FAKES/ipvsadm"
  PATH=$FAKES:/usr/bin:/bin run "$LIBEXEC/dsas-drain" "$LIST"
  [ "$status" -eq 0 ]
  [ -z "$(cat "$CALLS")" ]
}

@test "without an IPVS table to read, nothing to do" {
  new_list
  fake ipvsadm-save 'echo "Can'\''t initialize ipvs: Protocol not available" >&2; exit 1'
  run "$LIBEXEC/dsas-drain" "$LIST"
  [ "$status" -eq 0 ]
  [ -z "$(calls ipvsadm)" ]
}

@test "a backup, which does not hold the VIP, sets weight 0 and does not wait for its sync daemon's copies" {
  new_list '-t 10.0.0.1:80 10.0.1.2:80 1' '-t 10.0.0.1:80 10.0.1.3:80 30'
  echo stuck >"$CONNS/10.0.1.1:80"
  echo '2: eth0    inet 10.0.0.11/24 scope global eth0' >"$ADDRS"
  drain
  [ "$status" -eq 0 ]
  [ "$(calls ipvsadm | grep -v -- ' -Ln ')" = "ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 0" ]
  [ "$output" = "" ]
  [ "$(cat "$CLOCK")" = 1000000 ]
}

@test "a director whose addresses cannot be read waits, as the one holding the VIP does" {
  new_list '-t 10.0.0.1:80 10.0.1.2:80 1' '-t 10.0.0.1:80 10.0.1.3:80 30'
  echo 2 >"$CONNS/10.0.1.1:80"
  fake ip 'exit 1'
  drain
  [ "$status" -eq 0 ]
  [ "$output" = "ipvsadm: draining 10.0.1.1:80 from 10.0.0.1:80 (2 active connection(s), up to 30s)" ]
}
