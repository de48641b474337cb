#!/usr/bin/env bats
# dsas-apply: the bundle's records, the comparison, the check in a private
# mount namespace over the live tree, the swap and its .dsas-prev/.dsas-orig/
# .dsas-none files, rollback, removal, packages, the hooks' environment, and
# refusals of malformed bundles. Files live in a temp folder ($ROOT); hooks
# are plain shell that log to $LOG (the check hook, whose writes to /tmp
# vanish with its namespace, reports on its output instead).

load helper

# The teardown's check for left-over work folders looks at all of /run: the
# tests of this file never run side by side (bats --jobs runs other files beside it).
setup_file() { export BATS_NO_PARALLELIZE_WITHIN_FILE=true; }

setup() {
  common_setup
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  LOG=$BATS_TEST_TMPDIR/hooks.log
  : >"$BUNDLE"
  : >"$LOG"
  export LOG
  CONF=$ROOT/etc/app/app.conf
  mkdir -p "$ROOT/etc/app"
  ls -d /run/dsas-apply.* >"$BATS_TEST_TMPDIR/work-before" 2>/dev/null || true
}

teardown() {
  # The work folder is gone on every exit path.
  ls -d /run/dsas-apply.* >"$BATS_TEST_TMPDIR/work-after" 2>/dev/null || true
  diff "$BATS_TEST_TMPDIR/work-before" "$BATS_TEST_TMPDIR/work-after"
}

apply() { run --separate-stderr "$LIBEXEC/dsas-apply" apply <"$BUNDLE"; }
remove() { run --separate-stderr "$LIBEXEC/dsas-apply" remove <"$BUNDLE"; }
logging_hooks() {
  hook prepare 'echo prepare >>"$LOG"'
  hook apply 'echo apply >>"$LOG"'
}

@test "a bundle with every record kind: needs, five hooks, always, files (one empty) are read and applied" {
  record service app
  record needs sh:dash cat:coreutils
  hook check 'echo "check saw $(cat '"$CONF"')"'
  hook prepare 'echo prepare >>"$LOG"'
  hook apply 'echo apply >>"$LOG"; echo reloaded'
  hook verify 'echo verify >>"$LOG"'
  hook remove 'echo remove >>"$LOG"'
  record always
  file_record "$CONF" 0640 root root $'listen 80;\n'
  record file "$ROOT/etc/app/empty.conf" 0644 root root ""
  apply
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "check saw listen 80;" ]
  [ "${lines[1]}" = "reloaded" ]
  [ "${lines[2]}" = "app: applied 2 changed file(s)" ]
  [ "$(cat "$LOG")" = $'prepare\napply\nverify' ]
  [ "$(cat "$CONF")" = "listen 80;" ]
  [ "$(stat -c '%a %U %G' "$CONF")" = "640 root root" ]
  [ -f "$ROOT/etc/app/empty.conf" ] && [ ! -s "$ROOT/etc/app/empty.conf" ]
  [ -z "$(calls apt-get)" ]
}

@test "remove reads service, its hook and path records" {
  echo old >"$CONF"
  record service app
  hook remove 'echo remove >>"$LOG"; echo stopping'
  record path "$CONF"
  remove
  [ "$status" -eq 0 ]
  [ "$output" = $'stopping\napp: stopped and its files removed' ]
  [ "$(cat "$LOG")" = remove ]
  [ ! -e "$CONF" ]
}

@test "files already in place: 'NAME: unchanged', no hook runs, nothing written" {
  printf 'a\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  hook check 'echo check >&2; exit 1'
  logging_hooks
  file_record "$CONF" 0644 root root $'a\n'
  before=$(snapshot "$ROOT")
  apply
  [ "$status" -eq 0 ]
  [ "$output" = "app: unchanged" ]
  [ -z "$stderr" ]
  [ ! -s "$LOG" ]
  [ "$(snapshot "$ROOT")" = "$before" ]
}

@test "a mode change alone counts as a change" {
  printf 'a\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  logging_hooks
  file_record "$CONF" 0600 root root $'a\n'
  apply
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "app: applied 1 changed file(s)" ]
  [ "$(stat -c %a "$CONF")" = 600 ]
  [ "$(cat "$LOG")" = $'prepare\napply' ]
}

@test "set-user-ID and set-group-ID bits survive the owner being set" {
  record service app
  file_record "$ROOT/etc/app/tool" 6755 nobody nogroup $'#!/bin/sh\n'
  apply
  [ "$status" -eq 0 ]
  [ "$(stat -c '%a %U %G' "$ROOT/etc/app/tool")" = "6755 nobody nogroup" ]
}

@test "an owner or group change alone counts as a change" {
  printf 'a\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  logging_hooks
  file_record "$CONF" 0644 nobody nogroup $'a\n'
  apply
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "app: applied 1 changed file(s)" ]
  [ "$(stat -c '%U %G' "$CONF")" = "nobody nogroup" ]

  : >"$BUNDLE"
  record service app
  file_record "$CONF" 0644 nobody root $'a\n'
  apply
  [ "${lines[-1]}" = "app: applied 1 changed file(s)" ]
  [ "$(stat -c '%U %G' "$CONF")" = "nobody root" ]
}

@test "the check sees the new files at their real paths, new ones too; what it writes vanishes" {
  printf 'old\n' >"$CONF"
  record service app
  hook check "cat $CONF $ROOT/etc/app/added.conf; echo scribble >$CONF; touch $ROOT/etc/app/stray"
  file_record "$CONF" 0644 root root $'new\n'
  file_record "$ROOT/etc/app/added.conf" 0644 root root $'added\n'
  apply
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = new ]
  [ "${lines[1]}" = added ]
  [ "$(cat "$CONF")" = new ]
  [ ! -e "$ROOT/etc/app/stray" ]
}

@test "the check lays files under /run too, where dsas-apply's work folder is" {
  RUNDIR=$(mktemp -d /run/dsas-test.XXXXXX)
  record service app
  hook check "cat $RUNDIR/app/state.conf $CONF"
  file_record "$RUNDIR/app/state.conf" 0644 root root $'in run\n'
  file_record "$CONF" 0644 root root $'in tmp\n'
  apply
  rm -rf "$RUNDIR"
  [ "$status" -eq 0 ]
  [ "$output" = $'in run\nin tmp\napp: applied 2 changed file(s)' ]
}

@test "the check keeps the live folders' mode and owner where the new files go" {
  chmod 0711 "$ROOT/etc/app"
  chown nobody:nogroup "$ROOT/etc/app"
  record service app
  hook check "stat -c '%a %U %G' $ROOT/etc/app"
  file_record "$CONF" 0644 root root $'new\n'
  apply
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "711 nobody nogroup" ]
}

@test "a refused check leaves the live files byte-identical and runs nothing else" {
  printf 'good\n' >"$CONF"
  printf 'other\n' >"$ROOT/etc/app/other.conf"
  record service app
  hook check 'echo "app.conf line 1: unknown directive bad" >&2; exit 1'
  logging_hooks
  file_record "$CONF" 0644 root root $'bad\n'
  file_record "$ROOT/etc/app/other.conf" 0600 root root $'other\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'new\n'
  before=$(snapshot "$ROOT")
  apply
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  [ "$stderr" = $'app: the new configuration was refused, nothing changed:\napp.conf line 1: unknown directive bad' ]
  [ "$(snapshot "$ROOT")" = "$before" ]
  [ ! -s "$LOG" ]
}

@test "the swap keeps .dsas-prev, makes .dsas-orig once, and .dsas-none for a new file" {
  printf 'shipped\n' >"$CONF"
  record service app
  file_record "$CONF" 0644 root root $'v1\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'n1\n'
  apply
  [ "$status" -eq 0 ]
  [ "$(cat "$ROOT/etc/app/.app.conf.dsas-orig")" = shipped ]
  [ "$(cat "$ROOT/etc/app/.app.conf.dsas-prev")" = shipped ]
  [ -e "$ROOT/etc/app/.new.conf.dsas-none" ]
  [ ! -e "$ROOT/etc/app/.new.conf.dsas-orig" ]
  [ ! -e "$ROOT/etc/app/.new.conf.dsas-prev" ]

  : >"$BUNDLE"
  record service app
  file_record "$CONF" 0644 root root $'v2\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'n2\n'
  apply
  [ "$status" -eq 0 ]
  [ "$(cat "$CONF")" = v2 ]
  [ "$(cat "$ROOT/etc/app/.app.conf.dsas-prev")" = v1 ]
  [ "$(cat "$ROOT/etc/app/.app.conf.dsas-orig")" = shipped ]
  [ "$(cat "$ROOT/etc/app/.new.conf.dsas-prev")" = n1 ]
  [ -e "$ROOT/etc/app/.new.conf.dsas-none" ]
  [ ! -e "$ROOT/etc/app/.new.conf.dsas-orig" ]
  # No temp file is left beside them.
  [ -z "$(find "$ROOT" -name '*.dsas-new')" ]
}

@test "new folders are made for a new file" {
  record service app
  file_record "$ROOT/usr/local/lib/app/tool" 0755 root root $'#!/bin/sh\n'
  apply
  [ "$status" -eq 0 ]
  [ -x "$ROOT/usr/local/lib/app/tool" ]
  [ -e "$ROOT/usr/local/lib/app/.tool.dsas-none" ]
}

@test "an apply failure puts the previous files back, runs apply again and exits 1" {
  printf 'v1\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  hook prepare 'echo prepare >>"$LOG"'
  hook apply "echo \"apply \$(cat $CONF)\" >>\"\$LOG\"; if grep -q v2 $CONF; then echo 'job for app.service failed' >&2; exit 1; fi"
  file_record "$CONF" 0600 root root $'v2\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'n\n'
  before=$(stat -c '%a %U %G %s' "$CONF")
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: applying failed; the previous files are back in place:\njob for app.service failed' ]
  [ "$(cat "$CONF")" = v1 ]
  [ "$(stat -c '%a %U %G %s' "$CONF")" = "$before" ]
  [ ! -e "$ROOT/etc/app/new.conf" ]
  [ "$(cat "$LOG")" = $'prepare\napply v2\napply v1' ]
}

@test "verify runs after apply and the repair; its failure puts the previous files back, runs apply again and exits 1" {
  printf 'v1\n' >"$CONF"
  record service app
  hook apply "echo \"apply \$(cat $CONF)\" >>\"\$LOG\""
  hook drift 'echo "drift DSAS_REPAIR=${DSAS_REPAIR:-}" >>"$LOG"'
  hook verify "echo \"verify \$(cat $CONF)\" >>\"\$LOG\"; if grep -q v2 $CONF; then echo 'VI_EXT: FAULT, predicted BACKUP'; exit 1; fi; echo verified"
  record repair
  file_record "$CONF" 0644 root root $'v2\n'
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: verifying the change failed; the previous files are back in place:\nVI_EXT: FAULT, predicted BACKUP' ]
  [ "$(cat "$CONF")" = v1 ]
  [ "$(cat "$LOG")" = $'apply v2\ndrift DSAS_REPAIR=1\nverify v2\napply v1' ]
  file_record "$ROOT/etc/app/other.conf" 0644 root root $'o\n'
  sed -i "/ ${CONF//\//\\/} /d" "$BUNDLE"
  : >"$LOG"
  apply
  [ "$status" -eq 0 ]
  [ "$output" = $'verified\napp: applied 1 changed file(s)' ]
  [ "$(cat "$LOG")" = $'apply v1\ndrift DSAS_REPAIR=1\nverify v1' ]
}

@test "rollback deletes a file that was not there, even beside an old .dsas-prev" {
  printf 'stale\n' >"$ROOT/etc/app/.app.conf.dsas-prev"
  record service app
  hook apply 'exit 1'
  file_record "$CONF" 0644 root root $'v2\n'
  apply
  [ "$status" -eq 1 ]
  [ ! -e "$CONF" ]
}

@test "a first deploy that fails is removed again: the remove hook runs, not apply on no files" {
  record service app
  hook apply "echo \"apply \$(cat $CONF)\" >>\"\$LOG\""
  hook verify 'echo "VI_EXT: FAULT, predicted BACKUP"; exit 1'
  hook remove 'echo remove >>"$LOG"'
  file_record "$CONF" 0644 root root $'v1\n'
  file_record "$ROOT/etc/app/auth.conf" 0600 root root $'secret\n'
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: verifying the change failed; it was not on this host before and is removed again:\nVI_EXT: FAULT, predicted BACKUP' ]
  [ ! -e "$CONF" ] && [ ! -e "$ROOT/etc/app/auth.conf" ]
  [ "$(cat "$LOG")" = $'apply v1\nremove' ]

  # One file there before: the service was, and apply runs on what it had.
  printf 'v0\n' >"$CONF"
  : >"$LOG"
  apply
  [ "$status" -eq 1 ]
  [ "$(cat "$CONF")" = v0 ] && [ ! -e "$ROOT/etc/app/auth.conf" ]
  [ "$(cat "$LOG")" = $'apply v1\napply v0' ]
}

@test "a first deploy whose removal fails too reports both" {
  record service app
  hook apply 'echo "daemon down" >&2; exit 1'
  hook remove 'echo "no such unit" >&2; exit 1'
  file_record "$CONF" 0644 root root $'v1\n'
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: applying failed; it was not on this host before and is removed again:\ndaemon down\napp: removing it failed too:\nno such unit' ]
  [ ! -e "$CONF" ]
}

@test "when apply fails on the previous files too, both outputs are reported" {
  printf 'v1\n' >"$CONF"
  record service app
  hook apply 'echo "daemon down" >&2; exit 1'
  file_record "$CONF" 0644 root root $'v2\n'
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: applying failed; the previous files are back in place:\ndaemon down\napp: applying the previous files failed too:\ndaemon down' ]
  [ "$(cat "$CONF")" = v1 ]
}

@test "a prepare failure changes no file and runs apply again on the live files" {
  printf 'v1\n' >"$CONF"
  record service app
  hook prepare 'echo "ipvsadm: no such service" >&2; exit 1'
  hook apply "echo \"apply \$(cat $CONF)\" >>\"\$LOG\""
  file_record "$CONF" 0644 root root $'v2\n'
  before=$(snapshot "$ROOT")
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = $'app: preparing failed; the previous files are back in place:\nipvsadm: no such service' ]
  [ "$(snapshot "$ROOT")" = "$before" ]
  [ "$(cat "$LOG")" = "apply v1" ]
}

@test "remove puts back .dsas-orig, deletes a file dsas-kit made, clears the markers" {
  printf 'shipped\n' >"$CONF"
  record service app
  file_record "$CONF" 0644 root root $'v1\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'n1\n'
  apply
  : >"$BUNDLE"
  record service app
  file_record "$CONF" 0644 root root $'v2\n'
  file_record "$ROOT/etc/app/new.conf" 0644 root root $'n2\n'
  apply
  [ "$status" -eq 0 ]

  : >"$BUNDLE"
  record service app
  hook remove 'echo remove >>"$LOG"'
  record path "$CONF"
  record path "$ROOT/etc/app/new.conf"
  remove
  [ "$status" -eq 0 ]
  [ "$output" = "app: stopped and its files removed" ]
  [ "$(cat "$CONF")" = shipped ]
  [ ! -e "$ROOT/etc/app/new.conf" ]
  [ "$(ls -A "$ROOT/etc/app")" = app.conf ]
  [ "$(cat "$LOG")" = remove ]
}

@test "remove goes on when its hook fails, and says so" {
  echo x >"$CONF"
  record service app
  hook remove 'echo "Unit app.service not loaded." >&2; exit 5'
  record path "$CONF"
  remove
  [ "$status" -eq 0 ]
  [ "$stderr" = $'app: the remove hook failed; the files are removed all the same:\nUnit app.service not loaded.' ]
  [ "$output" = "app: stopped and its files removed" ]
  [ ! -e "$CONF" ]
}

@test "a symbolic link in a file's place is kept as .dsas-orig and comes back on removal" {
  printf 'site\n' >"$ROOT/etc/app/site-available"
  ln -s site-available "$CONF"
  record service app
  file_record "$CONF" 0644 root root $'mine\n'
  apply
  [ "$status" -eq 0 ]
  [ -f "$CONF" ] && [ ! -L "$CONF" ]
  [ "$(cat "$CONF")" = mine ]
  [ "$(readlink "$ROOT/etc/app/.app.conf.dsas-orig")" = site-available ]
  [ "$(cat "$ROOT/etc/app/site-available")" = site ]

  : >"$BUNDLE"
  record service app
  record path "$CONF"
  remove
  [ "$status" -eq 0 ]
  [ "$(readlink "$CONF")" = site-available ]
}

@test "a folder in a file's place, or a file where a folder goes, is refused and nothing changes" {
  mkdir "$ROOT/etc/app/conf.d"
  printf 'x\n' >"$ROOT/etc/app/plain"
  record service app
  logging_hooks
  file_record "$ROOT/etc/app/conf.d" 0644 root root $'x\n'
  before=$(snapshot "$ROOT")
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = "app: $ROOT/etc/app/conf.d exists and is not a file; nothing changed" ]

  : >"$BUNDLE"
  record service app
  logging_hooks
  file_record "$CONF" 0644 root root $'x\n'
  file_record "$ROOT/etc/app/plain/sub/file" 0644 root root $'x\n'
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = "app: $ROOT/etc/app/plain is in the way of $ROOT/etc/app/plain/sub/file and is not a folder; nothing changed" ]
  [ "$(snapshot "$ROOT")" = "$before" ]
  [ ! -s "$LOG" ]
}

@test "'always' with no files runs check, prepare and apply" {
  record service promote
  record always
  hook check 'echo checked'
  logging_hooks
  apply
  [ "$status" -eq 0 ]
  [ "$output" = $'checked\npromote: applied 0 changed file(s)' ]
  [ "$(cat "$LOG")" = $'prepare\napply' ]
}

@test "no files and no 'always': unchanged" {
  record service app
  logging_hooks
  apply
  [ "$status" -eq 0 ]
  [ "$output" = "app: unchanged" ]
  [ ! -s "$LOG" ]
}

@test "a missing command's package is installed, noninteractively, without recommends; present ones are not" {
  fake apt-get 'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >>"$CALLS"
printf "#!/bin/sh\n" >"$FAKES/dsas-test-tool"; chmod +x "$FAKES/dsas-test-tool"'
  record service app
  record needs dsas-test-tool:dsas-test-pkg sh:dash
  record needs dsas-test-tool:dsas-test-pkg
  file_record "$CONF" 0644 root root $'x\n'
  apply
  [ "$status" -eq 0 ]
  [ "$stderr" = "app: installing dsas-test-pkg" ]
  [ "$(calls apt-get | wc -l)" -eq 1 ]
  call=$(calls apt-get)
  [[ " $call " == *" install "* ]]
  [[ " $call " == *" -y "* ]]
  [[ " $call " == *" --no-install-recommends "* ]]
  [[ "$call" == *" dsas-test-pkg" ]]
  [[ "$call" != *dash* ]]
  [ "$(grep "^DEBIAN_FRONTEND=" "$CALLS")" = DEBIAN_FRONTEND=noninteractive ]
  [ "$(cat "$CONF")" = x ]
}

@test "an apt-get failure is reported with its last lines, and nothing changes" {
  fake apt-get 'for i in 1 2 3 4 5 6 7 8; do echo "apt line $i"; done
echo "E: Unable to locate package dsas-test-pkg" >&2; exit 100'
  echo live >"$CONF"
  record service app
  record needs dsas-test-tool:dsas-test-pkg
  logging_hooks
  file_record "$CONF" 0644 root root $'new\n'
  before=$(snapshot "$ROOT")
  apply
  [ "$status" -eq 1 ]
  [ "$stderr" = "app: installing dsas-test-pkg
app: apt-get could not install dsas-test-pkg:
apt line 5
apt line 6
apt line 7
apt line 8
E: Unable to locate package dsas-test-pkg" ]
  [ "$(snapshot "$ROOT")" = "$before" ]
  [ ! -s "$LOG" ]
}

@test "a package that installs without the command it was for is refused" {
  fake apt-get
  record service app
  record needs dsas-test-tool:dsas-test-pkg
  file_record "$CONF" 0644 root root $'new\n'
  apply
  [ "$status" -eq 1 ]
  [ "${stderr_lines[-1]}" = "app: dsas-test-pkg is installed but has no command dsas-test-tool; nothing changed" ]
  [ ! -e "$CONF" ]
}

@test "hooks get DSAS_SERVICE, DSAS_NEW, DSAS_CHANGED, dsas-apply's folder first on PATH, and no stdin" {
  printf 'same\n' >"$ROOT/etc/app/same.conf"
  chmod 0644 "$ROOT/etc/app/same.conf"
  record service app
  env='echo "service=$DSAS_SERVICE"; echo "path=${PATH%%:*}"; echo "new=$(cat "$DSAS_NEW'"$CONF"'")"; echo "new same=$(cat "$DSAS_NEW'"$ROOT"'/etc/app/same.conf")"; sed "s/^/changed=/" "$DSAS_CHANGED"; echo "stdin=$(cat)"'
  hook check "$env"
  hook prepare "$env"
  hook apply "$env"
  file_record "$CONF" 0644 root root $'fresh\n'
  file_record "$ROOT/etc/app/same.conf" 0644 root root $'same\n'
  apply
  [ "$status" -eq 0 ]
  expected="service=app
path=$LIBEXEC
new=fresh
new same=same
changed=$CONF
stdin="
  [ "$output" = "$expected
$expected
$expected
app: applied 1 changed file(s)" ]
}

@test "a hook that leaves a process running does not hold dsas-apply up" {
  record service app
  hook apply 'sleep 20 & echo $! >"$LOG"'
  file_record "$CONF" 0644 root root $'x\n'
  SECONDS=0
  apply
  kill "$(cat "$LOG")" 2>/dev/null || true
  [ "$status" -eq 0 ]
  [ "$SECONDS" -lt 10 ]
}

@test "a malformed bundle is refused with a clear message, exit 2, before anything is done" {
  fake apt-get
  echo live >"$CONF"
  before=$(snapshot "$ROOT")
  good_start() {
    : >"$BUNDLE"
    record service app
    record needs dsas-test-tool:dsas-test-pkg
    hook apply 'echo apply >>"$LOG"'
    file_record "$CONF" 0644 root root $'new\n'
  }
  refused() {
    apply
    [ "$status" -eq 2 ] || { echo "exit $status for: $(cat "$BUNDLE")"; return 1; }
    [[ "$stderr" == *"$1"* ]] || { echo "got: $stderr"; return 1; }
    [[ "$stderr" == *"nothing done"* ]]
  }

  good_start; record tool /usr/local/libexec/dsas/x 0755 AAAA
  refused 'malformed bundle, line 5: unknown record "tool"'
  good_start; echo "file $ROOT/etc/app/b.conf 0644  root root AAAA" >>"$BUNDLE"
  refused 'fields are separated by exactly one space'
  good_start; record file "$ROOT/etc/app/b.conf" 0644 root root 'not*base64'
  refused "the content of $ROOT/etc/app/b.conf is not base64"
  good_start; record file etc/app/b.conf 0644 root root AAAA
  refused '"etc/app/b.conf" is not an absolute path'
  good_start; record file "$ROOT/etc/../etc/app/b.conf" 0644 root root AAAA
  refused 'has a . or .. component'
  good_start; record file "$ROOT/etc/app/b.conf" 644x root root AAAA
  refused 'mode "644x" is not octal like 0644'
  good_start; record file "$ROOT/etc/app/b.conf" 0644 root AAAA
  refused 'expected "file PATH MODE OWNER GROUP BASE64"'
  good_start; file_record "$CONF" 0644 root root $'again\n'
  refused "a second record for $CONF"
  good_start; hook apply true
  refused 'a second apply hook'
  good_start; hook reload true
  refused 'a hook is check, prepare, apply, verify, remove or drift, not "reload"'
  good_start; record service other
  refused 'a second service record'
  good_start; record path "$CONF"
  refused 'a path record in apply mode'
  good_start; record needs dsas-test-tool
  refused '"dsas-test-tool" is not COMMAND:PACKAGE'
  good_start; printf 'always\r\n' >>"$BUNDLE"
  refused 'a character other than printable ASCII'
  good_start; printf 'always' >>"$BUNDLE"
  refused 'its last line has no newline (cut short?)'
  : >"$BUNDLE"; file_record "$CONF" 0644 root root $'new\n'
  refused 'no service record'

  [ "$(snapshot "$ROOT")" = "$before" ]
  [ ! -s "$LOG" ]
  [ -z "$(calls apt-get)" ]
}

@test "remove refuses file records; a wrong mode or no mode is a usage error" {
  record service app
  file_record "$CONF" 0644 root root $'x\n'
  remove
  [ "$status" -eq 2 ]
  [[ "$stderr" == *'a file record in remove mode'* ]]
  run --separate-stderr "$LIBEXEC/dsas-apply" --remove app <"$BUNDLE"
  [ "$status" -eq 2 ]
  [ "$stderr" = "usage: dsas-apply apply|remove|read < BUNDLE" ]
  run --separate-stderr "$LIBEXEC/dsas-apply" </dev/null
  [ "$status" -eq 2 ]
}

@test "an owner unknown to the host is refused before anything changes" {
  echo live >"$CONF"
  record service app
  logging_hooks
  file_record "$CONF" 0644 dsas-no-such-user root $'new\n'
  apply
  [ "$status" -eq 1 ]
  [[ "$stderr" == "app: $CONF: "*"invalid user"*"; nothing changed" ]]
  [ "$(cat "$CONF")" = live ]
  [ ! -s "$LOG" ]
}

@test "an ipvsadm service end to end: dsas-drain in prepare, dsas-ipvs-sync in apply, by their bare names" {
  fake modprobe
  fake ipvsadm-save "cat '$ROOT/table'"
  fake ipvsadm
  fake ip "echo '2: eth0    inet 10.0.0.1/24 scope global eth0'"
  rules=$ROOT/etc/ipvsadm.rules drain=$ROOT/etc/ipvsadm.drain
  printf '%s\n' '-A -t 10.0.0.1:80 -s wlc' '-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1' '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 1' >"$rules"
  cp "$rules" "$ROOT/table"
  printf '%s\n' '-t 10.0.0.1:80 10.0.1.1:80 30' '-t 10.0.0.1:80 10.0.1.2:80 30' >"$drain"
  record service ipvsadm
  record needs ipvsadm:ipvsadm
  hook prepare "dsas-drain $drain"
  hook apply "dsas-ipvs-sync $rules"
  file_record "$rules" 0644 root root $'-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1\n'
  file_record "$drain" 0644 root root $'-t 10.0.0.1:80 10.0.1.1:80 30\n'
  apply
  [ "$status" -eq 0 ]
  [ "$(cat "$CALLS")" = "ipvsadm-save -n
ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.2:80 -g -w 0
ip -o addr show
ipvsadm -Ln -t 10.0.0.1:80
modprobe ip_vs
ipvsadm-save -n
ipvsadm -d -t 10.0.0.1:80 -r 10.0.1.2:80" ]
  [ "$output" = "ipvsadm -d -t 10.0.0.1:80 -r 10.0.1.2:80
ipvsadm: applied 2 changed file(s)" ]
}

read_host() { run --separate-stderr "$LIBEXEC/dsas-apply" read <"$BUNDLE"; }
# want_record PATH MODE OWNER GROUP CONTENT: the deployed file, by its digest.
want_record() { record want "$1" "$2" "$3" "$4" "sha256:$(printf '%s' "$5" | sha256sum | cut -d' ' -f1)"; }

@test "read: files as deployed and a quiet drift hook print nothing, and nothing runs but the drift hook" {
  printf 'a\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  logging_hooks
  hook drift 'echo drift-hook >>"$LOG"'
  want_record "$CONF" 0644 root root $'a\n'
  snapshot "$ROOT" >"$BATS_TEST_TMPDIR/before"
  read_host
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ "$(cat "$LOG")" = drift-hook ]
  snapshot "$ROOT" >"$BATS_TEST_TMPDIR/after"
  diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "read: a changed, a missing and a re-moded file, a missing package and the drift hook's findings, sorted into drift and runtime" {
  printf 'edited by hand\n' >"$CONF"
  chmod 0644 "$CONF"
  printf 'secret\n' >"$ROOT/etc/app/auth.conf"
  chmod 0644 "$ROOT/etc/app/auth.conf"
  record service app
  hook drift 'echo "app is not running"; echo "runtime: real server 10.0.0.1:80 of TCP 10.0.0.100:80 is out of the table"'
  want_record "$CONF" 0644 root root $'a\n'
  want_record "$ROOT/etc/app/auth.conf" 0600 root root $'secret\n'
  want_record "$ROOT/etc/app/gone.conf" 0644 root root x
  read_host
  [ "$status" -eq 0 ]
  [ "$output" = "drift $CONF is not the deployed file
drift $ROOT/etc/app/auth.conf is mode 644 owner root:root, deployed 600 root:root
drift $ROOT/etc/app/gone.conf is missing
drift app is not running
runtime real server 10.0.0.1:80 of TCP 10.0.0.100:80 is out of the table" ]

  : >"$BUNDLE"
  record service app
  record needs no-such-command-here:no-such-package
  hook drift 'echo never run >>"$LOG"'
  read_host
  [ "$status" -eq 0 ]
  [ "$output" = "drift no-such-package is not installed" ]
  [ ! -s "$LOG" ]
}

@test "read refuses file records and a bad digest, and apply refuses want records" {
  record service app
  file_record "$CONF" 0644 root root x
  read_host
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"a file record in read mode"* ]]
  : >"$BUNDLE"
  record service app
  want_record "$CONF" 0644 root root x
  apply
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"a want record in apply mode"* ]]
  : >"$BUNDLE"
  record service app
  record want "$CONF" 0644 root root sha256:abc
  read_host
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"is not sha256: and 64 hex digits"* ]]
}

@test "apply with repair: apply runs with no file changed, then the drift hook with DSAS_REPAIR=1; without repair the drift hook never runs" {
  printf 'a\n' >"$CONF"
  chmod 0644 "$CONF"
  record service app
  logging_hooks
  hook drift 'echo "drift DSAS_REPAIR=${DSAS_REPAIR:-}" >>"$LOG"; echo "ipvsadm -A -t 10.0.0.100:80 -s wrr"'
  record repair
  file_record "$CONF" 0644 root root $'a\n'
  apply
  [ "$status" -eq 0 ]
  [ "$output" = $'ipvsadm -A -t 10.0.0.100:80 -s wrr\napp: applied 0 changed file(s)' ]
  [ "$(cat "$LOG")" = $'prepare\napply\ndrift DSAS_REPAIR=1' ]

  sed -i '/^repair$/d' "$BUNDLE"
  : >"$LOG"
  apply
  [ "$status" -eq 0 ]
  [ "$output" = "app: unchanged" ]
  [ ! -s "$LOG" ]
}
