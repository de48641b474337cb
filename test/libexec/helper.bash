# Shared by the libexec tests: where the programs are, fake commands first on
# PATH that log their arguments, and bundles built from plain text. Every test
# works in its own $BATS_TEST_TMPDIR; nothing here touches the machine's own
# services, kernel, disks or packages.

LIBEXEC=$(cd "$BATS_TEST_DIRNAME/../../provider/libexec" && pwd)

common_setup() {
  bats_require_minimum_version 1.5.0
  FAKES=$BATS_TEST_TMPDIR/fakes
  CALLS=$BATS_TEST_TMPDIR/calls
  ROOT=$BATS_TEST_TMPDIR/root
  mkdir -p "$FAKES" "$ROOT"
  : >"$CALLS"
  PATH=$FAKES:$PATH
  export PATH CALLS FAKES ROOT
}

# fake NAME [SCRIPT]: a command NAME on PATH that appends "NAME ARGS" to
# $CALLS, then runs SCRIPT (sh, with NAME's arguments as "$@").
fake() {
  {
    echo '#!/bin/sh'
    echo "echo \"$1 \$*\" >>\"\$CALLS\""
    printf '%s\n' "${2:-}"
  } >"$FAKES/$1"
  chmod +x "$FAKES/$1"
}

# The lines of $CALLS that begin with NAME.
calls() { grep "^$1\\( \\|\$\\)" "$CALLS" || true; }

# fake_clock: `date +%s` reads $CLOCK and `sleep N` moves it on by N seconds;
# both in $CLOCK_BIN, which only the program under test gets first on PATH, not bats.
fake_clock() {
  CLOCK=$BATS_TEST_TMPDIR/clock
  echo 1000000 >"$CLOCK"
  export CLOCK
  fake date '[ "$1" = +%s ] && cat "$CLOCK"'
  fake sleep 'echo $(($(cat "$CLOCK") + $1)) >"$CLOCK"'
  CLOCK_BIN=$BATS_TEST_TMPDIR/clock-bin
  mkdir -p "$CLOCK_BIN"
  mv "$FAKES/date" "$FAKES/sleep" "$CLOCK_BIN/"
}

b64() { printf '%s' "$1" | base64 -w0; }

# Bundle records, appended to $BUNDLE.
record() { echo "$*" >>"$BUNDLE"; }
hook() { record hook "$1" "$(b64 "$2")"; }
# file_record PATH MODE OWNER GROUP CONTENT
file_record() { record file "$1" "$2" "$3" "$4" "$(b64 "$5")"; }

# Each file of a folder with its mode, owner, group and checksum: what
# "byte-identical, nothing changed" is compared by.
snapshot() {
  (cd "$1" && find . -printf '%p %y %m %u %g %s %l\n' | sort && find . -type f -exec sha256sum {} + | sort)
}
