#!/usr/bin/env bats
# dsas-drbd: every guard of prepare (data found by blkid, the metadata probe's
# three answers, drbdmeta's refusal, an up resource's disk move) and promote
# (forced Primary only while both disks are Inconsistent, mkfs only on an
# empty device), with fakes of modprobe, drbdadm, drbdsetup, blkid and mkfs.
# The fakes' answers come from files in $DRBD; each fake logs to $CALLS.

load helper

setup() {
  common_setup
  DRBD=$BATS_TEST_TMPDIR/drbd
  mkdir -p "$DRBD"
  export DRBD
  echo /dev/vdb >"$DRBD/disk"
  fake modprobe
  fake drbdadm '
cmd=$1
answer() { if [ -e "$DRBD/$1.out" ]; then cat "$DRBD/$1.out"; fi; exit "$(cat "$DRBD/$1.rc" 2>/dev/null || echo 0)"; }
case $cmd in
  sh-ll-dev) cat "$DRBD/disk" ;;
  sh-dev) echo /dev/drbd0 ;;
  cstate) if [ -e "$DRBD/cstate" ]; then cat "$DRBD/cstate"; else echo "r0: No such resource" >&2; exit 10; fi ;;
  dstate) cat "$DRBD/dstate" ;;
  role) cat "$DRBD/role" ;;
  dump-md|create-md)
    if read -r line; then echo "$cmd read \"$line\" from its stdin" >>"$CALLS"; fi
    answer "$cmd" ;;
  up|adjust|primary) ;;
  *) echo "fake drbdadm: $cmd unexpected" >&2; exit 99 ;;
esac'
  fake drbdsetup '
[ "$1" = show ] || exit 99
cat <<EOF
resource r0 {
    _this_host {
        node-id			0;
        volume 0 {
            device			minor 0;
            disk			"$(cat "$DRBD/live-disk")";
            meta-disk			internal;
        }
    }
}
EOF'
  fake blkid '
if [ "$2" = -o ]; then
  [ -e "$DRBD/blkid-disk" ] || exit 2
  cat "$DRBD/blkid-disk"
else
  [ -e "$DRBD/blkid-dev" ] || exit 2
fi'
  fake mkfs.ext4
  fake seq 'echo 1'
  fake sleep
}

drbd() { run --separate-stderr "$LIBEXEC/dsas-drbd" "$@"; }
no_metadata() { echo "No valid meta data found" >"$DRBD/dump-md.out"; echo 255 >"$DRBD/dump-md.rc"; }

@test "prepare refuses when blkid finds a filesystem: exit 3, nothing created, nothing up" {
  no_metadata
  printf 'DEVNAME=/dev/vdb\nUUID=1234\nTYPE=ext4\nUSAGE=filesystem\n' >"$DRBD/blkid-disk"
  drbd prepare r0
  [ "$status" -eq 3 ]
  [ "$stderr" = "r0: refused: /dev/vdb holds data (TYPE=ext4 ); internal metadata would overwrite its end. Point the stack at an empty disk, or wipe it yourself" ]
  [ -z "$(calls 'drbdadm create-md')" ]
  [ -z "$(calls 'drbdadm up')" ]
}

@test "prepare refuses a disk with a partition table the same way" {
  no_metadata
  printf 'DEVNAME=/dev/vdb\nPTTYPE=gpt\n' >"$DRBD/blkid-disk"
  drbd prepare r0
  [ "$status" -eq 3 ]
  [[ "$stderr" == *"holds data (PTTYPE=gpt )"* ]]
  [ -z "$(calls 'drbdadm create-md')" ]
}

@test "prepare creates metadata only on 'No valid meta data found' and an empty disk, then brings it up" {
  no_metadata
  drbd prepare r0
  [ "$status" -eq 0 ]
  [ "$output" = "r0: metadata created on /dev/vdb
r0: up" ]
  [ "$(calls 'drbdadm create-md')" = "drbdadm create-md r0" ]
  [ "$(calls 'drbdadm up')" = "drbdadm up r0" ]
  [ "$(calls modprobe)" = "modprobe drbd" ]
}

@test "prepare leaves existing metadata alone" {
  echo "version \"v08\";" >"$DRBD/dump-md.out"
  drbd prepare r0
  [ "$status" -eq 0 ]
  [ "$output" = "r0: metadata present
r0: up" ]
  [ -z "$(calls 'drbdadm create-md')" ]
}

@test "an unsure metadata probe counts as metadata present" {
  printf 'open(/dev/vdb) failed: Device or resource busy\n' >"$DRBD/dump-md.out"
  echo 20 >"$DRBD/dump-md.rc"
  drbd prepare r0
  [ "$status" -eq 0 ]
  [ "$output" = "r0: metadata probe unsure, so treated as present: open(/dev/vdb) failed: Device or resource busy
r0: up" ]
  [ -z "$(calls 'drbdadm create-md')" ]
  [ -z "$(calls blkid)" ]
}

@test "drbdmeta declining to create metadata is a refusal, never answered" {
  no_metadata
  echo "Found ext4 filesystem; Do you want to proceed? Operation canceled." >"$DRBD/create-md.out"
  echo 1 >"$DRBD/create-md.rc"
  drbd prepare r0 <<<yes
  [ "$status" -eq 3 ]
  [ -z "$(grep 'from its stdin' "$CALLS")" ]
  [ "${stderr_lines[-1]}" = "r0: refused: drbdmeta declined to create metadata on /dev/vdb (its reason is above)" ]
  [ -z "$(calls 'drbdadm up')" ]
}

@test "prepare on an up resource on the same disk adjusts it" {
  echo Connected >"$DRBD/cstate"
  echo /dev/vdb >"$DRBD/live-disk"
  drbd prepare r0
  [ "$status" -eq 0 ]
  [ "$output" = "r0: already up, adjusted" ]
  [ "$(calls 'drbdadm adjust')" = "drbdadm adjust r0" ]
  [ -z "$(calls 'drbdadm dump-md')" ]
}

@test "prepare refuses to move an up resource to another backing disk" {
  echo Connected >"$DRBD/cstate"
  echo /dev/vdb >"$DRBD/live-disk"
  echo /dev/vdc >"$DRBD/disk"
  drbd prepare r0
  [ "$status" -eq 3 ]
  [ "$stderr" = "r0: refused: it runs on /dev/vdb; it is not moved to /dev/vdc while up (take it down and bring it up with dsas-drbd prepare)" ]
  [ -z "$(calls 'drbdadm adjust')" ]
  [ -z "$(calls 'drbdadm create-md')" ]
}

@test "promote forces Primary while both disks are Inconsistent, then makes the filesystem on an empty device" {
  echo Connected >"$DRBD/cstate"
  echo Inconsistent/Inconsistent >"$DRBD/dstate"
  echo Primary/Secondary >"$DRBD/role"
  drbd promote r0 ext4
  [ "$status" -eq 0 ]
  [ "$output" = "r0: initial sync source, Primary
r0: ext4 created on /dev/drbd0" ]
  [ "$(calls 'drbdadm primary')" = "drbdadm primary --force r0" ]
  [ "$(calls mkfs.ext4)" = "mkfs.ext4 -q /dev/drbd0" ]
}

@test "promote of an initialised resource forces nothing and makes no filesystem over one blkid finds" {
  echo Connected >"$DRBD/cstate"
  echo UpToDate/UpToDate >"$DRBD/dstate"
  echo Primary/Secondary >"$DRBD/role"
  : >"$DRBD/blkid-dev"
  drbd promote r0 ext4
  [ "$status" -eq 0 ]
  [ "$output" = "r0: already initialised (UpToDate/UpToDate)
r0: /dev/drbd0 already holds a filesystem, left as it is" ]
  [ -z "$(calls 'drbdadm primary')" ]
  [ -z "$(calls mkfs.ext4)" ]
}

@test "promote refuses other disk states, a resource not up, one not connected" {
  echo Connected >"$DRBD/cstate"
  echo Outdated/Inconsistent >"$DRBD/dstate"
  drbd promote r0 ext4
  [ "$status" -eq 3 ]
  [ "$stderr" = "r0: refused: disk states are Outdated/Inconsistent; the initial sync needs both Inconsistent" ]
  [ -z "$(calls 'drbdadm primary')" ]

  rm "$DRBD/cstate"
  drbd promote r0
  [ "$status" -eq 3 ]
  [ "$stderr" = "r0: refused: not up; run prepare first" ]

  echo WFConnection >"$DRBD/cstate"
  drbd promote r0
  [ "$status" -eq 3 ]
  [ "$stderr" = "r0: refused: not connected to its peer, whose data cannot be checked" ]
  [ -z "$(calls 'drbdadm primary')" ]
  [ -z "$(calls mkfs.ext4)" ]
}

@test "no filesystem is made on a Secondary, nor without FSTYPE" {
  echo Connected >"$DRBD/cstate"
  echo UpToDate/UpToDate >"$DRBD/dstate"
  echo Secondary/Primary >"$DRBD/role"
  drbd promote r0 ext4
  [ "$status" -eq 0 ]
  echo Primary/Secondary >"$DRBD/role"
  drbd promote r0
  [ "$status" -eq 0 ]
  [ -z "$(calls mkfs.ext4)" ]
}

@test "a wrong command or no resource is a usage error, with nothing run" {
  drbd wipe r0
  [ "$status" -eq 2 ]
  [ "$stderr" = "usage: dsas-drbd prepare|promote RESOURCE [FSTYPE]" ]
  drbd prepare
  [ "$status" -eq 2 ]
  [ -z "$(cat "$CALLS")" ]
}
