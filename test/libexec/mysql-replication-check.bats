#!/usr/bin/env bats
# mysql-replication-check: keepalived's MISC_CHECK of a replica, against a
# fake mysql that prints $STATUS as `SHOW SLAVE STATUS\G` would: healthy,
# a stopped thread, lag over the limit or unknown, not a replica, mysql
# failing; the credentials go by file, never on the command line.

load helper

setup() {
  common_setup
  STATUS=$BATS_TEST_TMPDIR/status
  CNF=$BATS_TEST_TMPDIR/mysql-pool.cnf
  printf '[client]\nuser=check\npassword=s3cret\n' >"$CNF"
  chmod 0600 "$CNF"
  export STATUS
  fake mysql 'cat "$STATUS"'
}

# replica IO SQL LAG: a status with those fields.
replica() {
  cat >"$STATUS" <<EOF
*************************** 1. row ***************************
                Slave_IO_State: Waiting for master to send event
                   Master_Host: 192.168.70.10
               Slave_IO_Running: $1
              Slave_SQL_Running: $2
          Seconds_Behind_Master: $3
EOF
}

check() { run --separate-stderr "$LIBEXEC/mysql-replication-check" "$CNF" 192.168.70.11 3306 30; }

@test "both threads running within the lag limit: healthy; credentials only by file" {
  replica Yes Yes 3
  check
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  [ "$(calls mysql)" = "mysql --defaults-extra-file=$CNF --connect-timeout=3 -h 192.168.70.11 -P 3306 --batch -e SHOW SLAVE STATUS\\G" ]
  [[ "$(cat "$CALLS")" != *s3cret* ]]
}

@test "lag at the limit is still healthy" {
  replica Yes Yes 30
  check
  [ "$status" -eq 0 ]
}

@test "a stopped thread: unhealthy" {
  replica Yes No 0
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: replication stopped (io=Yes sql=No)" ]
  replica Connecting Yes 0
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: replication stopped (io=Connecting sql=Yes)" ]
}

@test "lag over the limit: unhealthy" {
  replica Yes Yes 31
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: lag 31s > 30s" ]
}

@test "lag unknown (NULL): unhealthy" {
  replica Yes Yes NULL
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: lag unknown (NULL)" ]
}

@test "not a replica (empty status): unhealthy" {
  : >"$STATUS"
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: not a replica" ]
}

@test "mysql failing to connect: unhealthy, with its message" {
  fake mysql "echo \"ERROR 2002 (HY000): Can't connect to server on '192.168.70.11' (115)\" >&2; exit 1"
  check
  [ "$status" -eq 1 ]
  [ "$stderr" = "192.168.70.11:3306: ERROR 2002 (HY000): Can't connect to server on '192.168.70.11' (115)" ]
}
