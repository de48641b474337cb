#!/usr/bin/env bats
# dsas-gate: keepalived's state after a change against the prediction in its
# GATE file, and the IPVS table against the configured one. dsas-gate runs
# from a copy beside a fake dsas-status, which prints the JSON dump in
# $DUMPS/N on its Nth call (the last one from then on), and beside the real
# dsas-drift and dsas-ipvs-sync over a fake ipvsadm-save. The clock is fake:
# `sleep N` moves the `date +%s` of $CLOCK on by N seconds.

load helper

setup() {
  common_setup
  BIN=$BATS_TEST_TMPDIR/bin
  DUMPS=$BATS_TEST_TMPDIR/dumps
  mkdir -p "$BIN" "$DUMPS"
  cp "$LIBEXEC/dsas-gate" "$LIBEXEC/dsas-drift" "$LIBEXEC/dsas-ipvs-sync" "$BIN/"
  cat >"$BIN/dsas-status" <<'EOF'
#!/bin/sh
n=$(($(cat "$DUMPS/calls" 2>/dev/null || echo 0) + 1))
echo "$n" >"$DUMPS/calls"
echo "== keepalived"
if [ -e "$DUMPS/$n" ]; then cat "$DUMPS/$n"; else cat "$DUMPS/$(ls "$DUMPS" | grep -x '[0-9]*' | sort -n | tail -n 1)"; fi
EOF
  chmod +x "$BIN/dsas-status"
  export DUMPS
  fake_clock
  GATE=$BATS_TEST_TMPDIR/gate
  cat >"$GATE" <<'EOF'
# Managed by dsas-kit.
peer lb1
settle 3
wait 30
instance VI_EXT 100 BACKUP
instance VI_INT 100 BACKUP
EOF
  RULES=$BATS_TEST_TMPDIR/ipvs.rules
  LIVE=$BATS_TEST_TMPDIR/live
  printf '%s\n' '-A -t 10.10.31.100:80 -s wrr' '-a -t 10.10.31.100:80 -r 192.168.31.101:80 -m -w 2' \
    '-a -t 10.10.31.100:80 -r 192.168.31.102:80 -m -w 1' >"$RULES"
  cp "$RULES" "$LIVE"
  fake ipvsadm-save "cat '$LIVE'"
  rm -f /run/dsas-gate.before
}

teardown() { rm -f /run/dsas-gate.before; }

# dump N NAME STATE BASE EFFECTIVE [NAME STATE BASE EFFECTIVE...]: the Nth
# dump, in keepalived's JSON (states by number, as keepalived writes them).
dump() {
  n=$1
  shift
  sep=
  {
    printf '['
    while [ $# -gt 0 ]; do
      case $2 in INIT) s=0 ;; BACKUP) s=1 ;; MASTER) s=2 ;; FAULT) s=3 ;; esac
      printf '%s{"data":{"iname":"%s","vrid":31,"master_priority":150,"base_priority":%s,"effective_priority":%s,"nopreempt":false,"preempt_delay":0,"state":%s,"wantstate":%s,"auth_data":"[secret]"},"stats":{"advert_rcvd":9,"become_master":0}}' \
        "$sep" "$1" "$3" "$4" "$s" "$s"
      sep=,
      shift 4
    done
    echo ']'
  } >"$DUMPS/$n"
}

# before: dsas-gate before, on the first dump; then the later dumps answer `after`.
before() { run "$BIN/dsas-gate" before; [ "$status" -eq 0 ]; }
after() { PATH=$CLOCK_BIN:$PATH run --separate-stderr "$BIN/dsas-gate" after "$GATE" "$@"; }
elapsed() { echo $(($(cat "$CLOCK") - 1000000)); }

@test "a backup as predicted passes at its first look, after the settle time" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  after "$RULES"
  [ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
  [ -z "$output" ]
  [ "$(elapsed)" -eq 3 ]
  [ ! -e /run/dsas-gate.before ]
}

@test "an instance faulted after the change: the whole wait, then what differs, exit 1" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  dump 2 VI_EXT FAULT 100 100 VI_INT FAULT 100 100
  after
  [ "$status" -eq 1 ]
  [ "$output" = "keepalived is not as the stack predicts 33 s after the change, so lb1 is not touched:
VI_EXT: FAULT, predicted BACKUP: a tracked script, process, interface or file faults it
VI_INT: FAULT, predicted BACKUP: a tracked script, process, interface or file faults it" ]
  [ "$(elapsed)" -ge 33 ]
  [ "$(elapsed)" -le 35 ]
}

@test "the predicted state may come later within the wait: INIT, then BACKUP" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  dump 2 VI_EXT INIT 100 100 VI_INT INIT 100 100
  dump 3 VI_EXT INIT 100 100 VI_INT BACKUP 100 100
  dump 4 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  after
  [ "$status" -eq 0 ]
  [ "$(elapsed)" -eq 5 ]
}

@test "a backup that takes the VIPs after the change fails; one that held them before (its peer silent) passes" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  dump 2 VI_EXT MASTER 100 100 VI_INT MASTER 100 100
  after
  [ "$status" -eq 1 ]
  [[ $output == *"VI_EXT: MASTER, predicted BACKUP: it took the VIPs over after the change (it no longer hears lb1's adverts, or lb1 went down)"* ]]
  rm "$DUMPS"/*
  dump 1 VI_EXT MASTER 100 100 VI_INT MASTER 100 100
  before
  after
  [ "$status" -eq 0 ]
}

@test "a backup whose keepalived did not run before (a first deployment) may be MASTER already" {
  printf 'keepalived is not running\n' >"$DUMPS/1"
  before
  [ -e /run/dsas-gate.before ]
  [ ! -s /run/dsas-gate.before ]
  dump 2 VI_EXT MASTER 100 100 VI_INT MASTER 100 100
  after
  [ "$status" -eq 0 ]
}

@test "keepalived not running after the change fails" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  printf 'keepalived is not running\n' >"$DUMPS/2"
  after
  [ "$status" -eq 1 ]
  [[ $output == *"keepalived gives no state (is it running?)"* ]]
}

@test "a priority other than the configured one, and an effective priority lowered by the change, fail; one already lowered before passes" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  dump 2 VI_EXT BACKUP 90 90 VI_INT BACKUP 100 80
  after
  [ "$status" -eq 1 ]
  [[ $output == *"VI_EXT: priority 90, the configuration says 100 (the reload did not take?)"* ]]
  [[ $output == *"VI_INT: effective priority 80 below its 100 (a tracked script or interface is failing)"* ]]
  rm "$DUMPS"/*
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 80
  before
  dump 2 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 80
  after
  [ "$status" -eq 0 ]
}

@test "a master must be MASTER, unless nopreempt keeps a BACKUP that was so before; FAULT where the stack puts it in maintenance" {
  sed -i 's/ 100 BACKUP$/ 150 MASTER/; s/^peer lb1$/peer lb2/' "$GATE"
  dump 1 VI_EXT BACKUP 150 150 VI_INT BACKUP 150 150
  before
  after
  [ "$status" -eq 1 ]
  [[ $output == *"VI_EXT: BACKUP, predicted MASTER"* ]]
  sed -i 's/ MASTER$/ MASTER nopreempt/' "$GATE"
  after
  [ "$status" -eq 0 ]
  sed -i 's/ MASTER nopreempt$/ FAULT/' "$GATE"
  rm "$DUMPS"/*
  dump 1 VI_EXT MASTER 150 150 VI_INT MASTER 150 150
  before
  dump 2 VI_EXT FAULT 150 150 VI_INT FAULT 150 150
  after
  [ "$status" -eq 0 ]
}

@test "with the rules: a virtual service missing from the table fails; a real server its check took out is runtime state" {
  dump 1 VI_EXT BACKUP 100 100 VI_INT BACKUP 100 100
  before
  sed -i '/192.168.31.102:80/d' "$LIVE"
  after "$RULES"
  [ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
  : >"$LIVE"
  after "$RULES"
  [ "$status" -eq 1 ]
  [[ $output == *"IPVS: virtual service TCP 10.10.31.100:80 is missing from the kernel table"* ]]
}

@test "before, on a host that has no GATE file yet (a first deploy, an upgrade): notes the state, exit 0" {
  rm -f "$GATE"
  dump 1 VI_EXT BACKUP 100 100
  before
  [ -s /run/dsas-gate.before ]
}

@test "a bad call or a missing GATE: exit 2" {
  run "$BIN/dsas-gate" before "$GATE"
  [ "$status" -eq 2 ]
  run "$BIN/dsas-gate" after
  [ "$status" -eq 2 ]
  run "$BIN/dsas-gate" sideways "$GATE"
  [ "$status" -eq 2 ]
  run "$BIN/dsas-gate" after "$BATS_TEST_TMPDIR/none"
  [ "$status" -eq 2 ]
}
