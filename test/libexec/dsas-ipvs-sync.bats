#!/usr/bin/env bats
# dsas-ipvs-sync: the reconciler (--plan) on recorded `ipvsadm-save -n`
# tables, one change of each kind and never a flush; then the real run with
# fake modprobe, ipvsadm-save and ipvsadm: ip_vs loaded, the plan's lines run
# in order, nothing run when RULES holds a line it does not understand.

load helper

setup() {
  common_setup
  LIVE=$BATS_TEST_TMPDIR/live
  RULES=$BATS_TEST_TMPDIR/ipvsadm.rules
  # Recorded from `ipvsadm-save -n` on a lab director.
  cat >"$LIVE" <<'EOF'
-A -t 192.168.50.10:80 -s wlc
-a -t 192.168.50.10:80 -r 192.168.60.11:80 -g -w 1
-a -t 192.168.50.10:80 -r 192.168.60.12:80 -g -w 1
-A -t 192.168.50.10:443 -s wlc -p 300
-a -t 192.168.50.10:443 -r 192.168.60.11:443 -g -w 1
-a -t 192.168.50.10:443 -r 192.168.60.12:443 -g -w 1
-A -u 192.168.50.11:53 -s rr
-a -u 192.168.50.11:53 -r 10.10.0.5:53 -m -w 1
EOF
  cp "$LIVE" "$RULES"
}

# edit SED: RULES changed by a sed script.
edit() { sed -i "$1" "$RULES"; }
plan() { run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" --plan "$LIVE" "$RULES"; }

@test "the same table: nothing to do" {
  plan
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "spacing differences are not changes" {
  edit 's/ -w 1$/  -w   1 /'
  plan
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "a weight change: -e in place, nothing else" {
  edit '/-r 192.168.60.12:80 /s/-w 1/-w 5/'
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-e -t 192.168.50.10:80 -r 192.168.60.12:80 -g -w 5" ]
}

@test "a new real server: -a" {
  edit '/-r 192.168.60.12:80 /a -a -t 192.168.50.10:80 -r 192.168.60.13:80 -g -w 1'
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-a -t 192.168.50.10:80 -r 192.168.60.13:80 -g -w 1" ]
}

@test "a removed real server: -d" {
  edit '/-r 192.168.60.11:443 /d'
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-d -t 192.168.50.10:443 -r 192.168.60.11:443" ]
}

@test "a removed service: one -D, no -d for its real servers" {
  edit '/192.168.50.10:443/d'
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-D -t 192.168.50.10:443" ]
}

@test "a new service: -A, then its real servers" {
  cat >>"$RULES" <<'EOF'
-A -t 192.168.50.12:8080 -s sh
-a -t 192.168.50.12:8080 -r 192.168.60.21:8080 -m -w 2
EOF
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-A -t 192.168.50.12:8080 -s sh
-a -t 192.168.50.12:8080 -r 192.168.60.21:8080 -m -w 2" ]
}

@test "a persistence or scheduler change: -E" {
  edit 's/^-A -t 192.168.50.10:80 -s wlc$/-A -t 192.168.50.10:80 -s wlc -p 600/; s/^-A -t 192.168.50.10:443 -s wlc -p 300$/-A -t 192.168.50.10:443 -s rr/'
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-E -t 192.168.50.10:80 -s wlc -p 600
-E -t 192.168.50.10:443 -s rr" ]
}

@test "everything at once: adds and edits in RULES' order, then deletions; never a flush" {
  edit '/-r 192.168.60.12:80 /s/-w 1/-w 0/; /-r 192.168.60.11:443 /d; /192.168.50.11:53/d'
  edit '1s/$/ -p 60/'
  echo '-a -t 192.168.50.10:443 -r 192.168.60.13:443 -g -w 1' >>"$RULES"
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-E -t 192.168.50.10:80 -s wlc -p 60
-e -t 192.168.50.10:80 -r 192.168.60.12:80 -g -w 0
-a -t 192.168.50.10:443 -r 192.168.60.13:443 -g -w 1
-d -t 192.168.50.10:443 -r 192.168.60.11:443
-D -u 192.168.50.11:53" ]
  [[ "$output" != *-C* ]]
}

@test "an empty RULES deletes every service, one -D each, and still no flush" {
  : >"$RULES"
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "-D -t 192.168.50.10:80
-D -t 192.168.50.10:443
-D -u 192.168.50.11:53" ]
}

@test "an empty kernel table: every line added as it is" {
  : >"$LIVE"
  plan
  [ "$status" -eq 0 ]
  [ "$output" = "$(cat "$RULES")" ]
}

@test "a line other than -A or -a (a flush) is refused and nothing at all is printed" {
  edit '1i -C'
  edit '/-r 192.168.60.12:80 /s/-w 1/-w 5/'
  plan
  [ "$status" -eq 2 ]
  [ -z "$output" ]
  [ "$stderr" = "dsas-ipvs-sync: $RULES line 1: not an -A service or -a real server line: -C" ]
}

@test "a real server before its service, or a line twice, is refused" {
  printf '%s\n' '-a -t 192.168.50.12:80 -r 192.168.60.21:80 -g -w 1' '-A -t 192.168.50.12:80 -s wlc' >"$RULES"
  plan
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"line 1: a real server before its service line"* ]]
  cp "$LIVE" "$RULES"
  sed -n 2p "$LIVE" >>"$RULES"
  plan
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"line 9: a second line for -t 192.168.50.10:80 192.168.60.11:80"* ]]
}

@test "the real run loads ip_vs and runs the plan's lines in order" {
  fake modprobe
  fake ipvsadm-save "cat '$LIVE'"
  fake ipvsadm
  edit '/-r 192.168.60.12:80 /s/-w 1/-w 5/; /192.168.50.11:53/d'
  run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" "$RULES"
  [ "$status" -eq 0 ]
  [ "$(cat "$CALLS")" = "modprobe ip_vs
ipvsadm-save -n
ipvsadm -e -t 192.168.50.10:80 -r 192.168.60.12:80 -g -w 5
ipvsadm -D -u 192.168.50.11:53" ]
  [ "$output" = "ipvsadm -e -t 192.168.50.10:80 -r 192.168.60.12:80 -g -w 5
ipvsadm -D -u 192.168.50.11:53" ]
}

@test "the real run stops at the first failing ipvsadm and runs nothing for a bad RULES" {
  fake modprobe
  fake ipvsadm-save "cat '$LIVE'"
  fake ipvsadm '[ "$1" = -e ] && { echo "Memory allocation problem" >&2; exit 1; }; exit 0'
  edit '/-r 192.168.60.12:80 /s/-w 1/-w 5/; /192.168.50.11:53/d'
  run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" "$RULES"
  [ "$status" -eq 1 ]
  [ -z "$(calls 'ipvsadm -D')" ]
  [ "$stderr" = "Memory allocation problem" ]

  : >"$CALLS"
  echo '-C' >>"$RULES"
  run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" "$RULES"
  [ "$status" -eq 2 ]
  [ -z "$(calls ipvsadm)" ]
}

@test "--remove deletes RULES' services that the kernel has, one -D each, and leaves the others" {
  fake modprobe
  fake ipvsadm-save "cat '$LIVE'"
  fake ipvsadm
  cat >"$RULES" <<'RULES'
-A -t 192.168.50.10:443 -s wlc -p 300
-a -t 192.168.50.10:443 -r 192.168.60.11:443 -g -w 1
-A -u 192.168.50.11:53 -s rr
-a -u 192.168.50.11:53 -r 10.10.0.5:53 -m -w 1
-A -t 192.168.50.99:80 -s rr
RULES
  run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" --remove "$RULES"
  [ "$status" -eq 0 ]
  [ "$(calls ipvsadm)" = "ipvsadm -D -t 192.168.50.10:443
ipvsadm -D -u 192.168.50.11:53" ]
  [ "$output" = "ipvsadm -D -t 192.168.50.10:443
ipvsadm -D -u 192.168.50.11:53" ]

  : >"$CALLS"
  run --separate-stderr "$LIBEXEC/dsas-ipvs-sync" --remove
  [ "$status" -eq 2 ]
  [ -z "$(calls ipvsadm)" ]
}
