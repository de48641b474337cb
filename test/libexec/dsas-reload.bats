#!/usr/bin/env bats
# dsas-reload: a fake systemctl whose unit state is the file $STATE (active
# or inactive), which a reload or start replaces by $AFTER: active -> reload,
# inactive -> enable --now, not active after -> exit 1 with the last lines of
# systemctl status; a failing reload is a failure. `sleep` is a fake that
# only logs the wait.

load helper

setup() {
  common_setup
  STATE=$BATS_TEST_TMPDIR/state
  AFTER=$BATS_TEST_TMPDIR/after
  echo active >"$AFTER"
  export STATE AFTER
  fake sleep
  fake systemctl '
case $1 in
  is-active) [ "$(cat "$STATE")" = active ] ;;
  reload|enable) cp "$AFTER" "$STATE" ;;
  status)
    for i in 1 2 3 4 5 6; do echo "status line $i"; done
    echo "Dec 01 keepalived[42]: Configuration file has errors"
    exit 3 ;;
  *) exit 1 ;;
esac'
}

@test "an active unit is reloaded, not restarted or enabled" {
  echo active >"$STATE"
  run --separate-stderr "$LIBEXEC/dsas-reload" keepalived
  [ "$status" -eq 0 ]
  [ "$(calls systemctl)" = "systemctl is-active -q keepalived
systemctl reload keepalived
systemctl is-active -q keepalived" ]
  [ "$(calls sleep)" = "sleep 1" ]
}

@test "an inactive unit is enabled and started" {
  echo inactive >"$STATE"
  run --separate-stderr "$LIBEXEC/dsas-reload" nginx
  [ "$status" -eq 0 ]
  [ "$(calls systemctl)" = "systemctl is-active -q nginx
systemctl enable -q --now nginx
systemctl is-active -q nginx" ]
}

@test "a unit not active after its reload: exit 1 with the last lines of its status" {
  echo active >"$STATE"
  echo inactive >"$AFTER"
  run --separate-stderr "$LIBEXEC/dsas-reload" keepalived
  [ "$status" -eq 1 ]
  [ "$stderr" = "keepalived is not active after its reload:
status line 3
status line 4
status line 5
status line 6
Dec 01 keepalived[42]: Configuration file has errors" ]
  [ "$(calls 'systemctl status')" = "systemctl status --no-pager -l keepalived" ]
}

@test "a failing reload is a failure" {
  echo active >"$STATE"
  fake systemctl '[ "$1" = reload ] && { echo "Job for squid.service failed." >&2; exit 1; }; exit 0'
  run --separate-stderr "$LIBEXEC/dsas-reload" squid
  [ "$status" -eq 1 ]
  [ "$stderr" = "Job for squid.service failed." ]
}

@test "no unit, or two, is a usage error" {
  run "$LIBEXEC/dsas-reload"
  [ "$status" -eq 2 ]
  run "$LIBEXEC/dsas-reload" a b
  [ "$status" -eq 2 ]
  [ -z "$(cat "$CALLS")" ]
}
