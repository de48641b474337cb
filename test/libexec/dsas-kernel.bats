#!/usr/bin/env bats
# dsas-kernel: modules from /etc/modules-load.d/dsas-*.conf (comments and
# blank lines skipped, other files ignored) and sysctl -p of the changed
# /etc/sysctl.d/ files only. It reads /etc itself, so each test runs it in a
# private mount namespace with a tmpfs over /etc/modules-load.d: the
# machine's own folder is never written. modprobe and sysctl are fakes.

load helper

setup() {
  common_setup
  fake modprobe
  fake sysctl
  CONFS=$BATS_TEST_TMPDIR/modules-load.d
  mkdir -p "$CONFS"
  export DSAS_CHANGED=$BATS_TEST_TMPDIR/changed
  : >"$DSAS_CHANGED"
}

# kernel: dsas-kernel with $CONFS as /etc/modules-load.d.
kernel() {
  run --separate-stderr unshare --mount --propagation private sh -c '
    mount -t tmpfs dsas-test /etc/modules-load.d && cp -a "$1/." /etc/modules-load.d/ && exec "$2"' \
    sh "$CONFS" "$LIBEXEC/dsas-kernel"
}

@test "every module of the dsas-*.conf files is loaded, comments and other files skipped" {
  printf '# Managed by dsas-kit: director pair web.\nip_vs\n\n; a comment\nip_vs_wlc\n  ip_vs_sh\n' >"$CONFS/dsas-ipvs.conf"
  printf 'nf_conntrack\n' >"$CONFS/dsas-extra.conf"
  printf 'loop\n' >"$CONFS/modules.conf"
  kernel
  [ "$status" -eq 0 ]
  [ "$(calls modprobe)" = "modprobe nf_conntrack
modprobe ip_vs
modprobe ip_vs_wlc
modprobe ip_vs_sh" ]
  [ ! -e /etc/modules-load.d/dsas-ipvs.conf ]
}

@test "only the changed /etc/sysctl.d/ files are applied, after the modules" {
  printf 'ip_vs\n' >"$CONFS/dsas-ipvs.conf"
  printf '%s\n' /etc/modules-load.d/dsas-ipvs.conf /etc/sysctl.d/60-dsas-director.conf /etc/sysctl.conf >"$DSAS_CHANGED"
  kernel
  [ "$status" -eq 0 ]
  [ "$(cat "$CALLS")" = "modprobe ip_vs
sysctl -q -p /etc/sysctl.d/60-dsas-director.conf" ]
}

@test "a module that does not load is a failure, and no sysctl file is applied" {
  printf 'ip_vs\n' >"$CONFS/dsas-ipvs.conf"
  fake modprobe 'echo "modprobe: FATAL: Module $1 not found" >&2; exit 1'
  printf '%s\n' /etc/sysctl.d/60-dsas-director.conf >"$DSAS_CHANGED"
  kernel
  [ "$status" -ne 0 ]
  [ "$stderr" = "modprobe: FATAL: Module ip_vs not found" ]
  [ -z "$(calls sysctl)" ]
}

@test "nothing listed and nothing changed: nothing run" {
  kernel
  [ "$status" -eq 0 ]
  [ -z "$(cat "$CALLS")" ]
}
