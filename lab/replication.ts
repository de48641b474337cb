#!/usr/bin/env node
// The MySQL pool's own database, which a stack does not manage: MariaDB on
// db1 (primary) replicated by GTID to db2 and db3, with the user the
// directors' replication check logs in as and a user for the clients.
//   node lab/replication.ts [CLIENT...]   set up (idempotent), the check user's
//                                        password on stdin; CLIENTs get the client login
import { readFileSync } from "node:fs";
import { HOSTS } from "./inventory.ts";
import { ssh } from "./vm.ts";

export const PRIMARY = "db1";
export const REPLICAS = ["db2", "db3"];
/** The lab's client login, for queries through the VIPs (lab-only password). */
const APP_USER = { user: "app", password: "lab-app" };
const REPL_PASSWORD = "lab-repl";
const NET = "192.168.31.%";

const address = (host: string) => HOSTS[host].interfaces.eth0.address.split("/")[0];

function sql(host: string, statements: string): string {
  const r = ssh(host, "mysql --batch", statements);
  if (r.status !== 0) throw new Error(`${host}: mysql: ${r.stderr}`);
  return r.stdout;
}

function must(host: string, command: string): void {
  const r = ssh(host, command);
  if (r.status !== 0) throw new Error(`${host}: ${command}: ${r.stderr}${r.stdout}`);
}

/** Gives a lab host the client login, in /root/app.cnf (0600): `mysql --defaults-extra-file=/root/app.cnf`. */
export function writeClientLogin(host: string): void {
  must(host, `umask 077 && printf '[client]\\nuser=${APP_USER.user}\\npassword=${APP_USER.password}\\n' >/root/app.cnf`);
}

/** Starts MariaDB on the db hosts and makes the replicas follow the primary. */
export async function setUpReplication(checkUser: string, checkPassword: string): Promise<void> {
  for (const [i, host] of [PRIMARY, ...REPLICAS].entries()) {
    must(host, "cat >/etc/mysql/mariadb.conf.d/90-dsas-lab.cnf <<'EOF'\n[mysqld]\nbind-address = 0.0.0.0\n"
      + `server-id = ${i + 1}\nlog-bin = mysql-bin\nskip-name-resolve\ninnodb_buffer_pool_size = 32M\nEOF\n`
      + "systemctl restart mariadb");
  }
  // Created on the primary only: the replicas get these users through replication.
  const quote = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  sql(PRIMARY, [
    `CREATE OR REPLACE USER repl@'${NET}' IDENTIFIED BY ${quote(REPL_PASSWORD)};`,
    `GRANT REPLICATION SLAVE ON *.* TO repl@'${NET}';`,
    `CREATE OR REPLACE USER ${checkUser}@'${NET}' IDENTIFIED BY ${quote(checkPassword)};`,
    `GRANT SLAVE MONITOR ON *.* TO ${checkUser}@'${NET}';`,
    `CREATE OR REPLACE USER ${APP_USER.user}@'${NET}' IDENTIFIED BY ${quote(APP_USER.password)};`,
  ].join("\n"));
  for (const host of REPLICAS) {
    if (sql(host, "SHOW SLAVE STATUS\\G").includes("Slave_IO_Running")) continue;
    sql(host, `CHANGE MASTER TO MASTER_HOST='${address(PRIMARY)}', MASTER_USER='repl', MASTER_PASSWORD=${quote(REPL_PASSWORD)}, `
      + "MASTER_USE_GTID=slave_pos;\nSTART SLAVE;");
  }
  for (const host of REPLICAS) {
    const start = Date.now();
    while (!/Slave_SQL_Running: Yes[\s\S]*Seconds_Behind_Master: 0/.test(sql(host, "SHOW SLAVE STATUS\\G"))
      || !sql(host, `SELECT user FROM mysql.user WHERE user='${checkUser}';`).includes(checkUser)) {
      if (Date.now() - start > 60_000) throw new Error(`${host}: not replicating from ${PRIMARY} after 60 s:\n${sql(host, "SHOW SLAVE STATUS\\G")}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

if (import.meta.main) {
  await setUpReplication("dsas_check", readFileSync(0, "utf8").trim());
  for (const client of process.argv.slice(2)) writeClientLogin(client);
  console.error(`[lab] MariaDB: ${PRIMARY} primary, ${REPLICAS.join(" and ")} replicating`);
}
