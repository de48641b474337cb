import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_KEY_CONFIG, labHost, labPrivateKey } from "../../lab/stack.ts";
import { setUpReplication, writeClientLogin } from "../../lab/replication.ts";
import { dsasProject } from "../helpers/project.ts";
import { lab, logins, run, until } from "../helpers/lab.ts";

// Internal pools (scenario d and g of background.md) on lab VMs, two stacks of
// the same program side by side: "pools" puts the MariaDB replicas db2 and db3
// behind a director pair with the replication-aware check (LVS-DR); "static"
// puts the primary db1 behind a second pair run on static ipvsadm rules. Then
// examples/director-pair, the components used as a library, deploys a pair of
// its own on the hosts the static stack had.
const POOLS = ["lb1", "lb2", "db2", "db3"];
const STATIC = ["slb1", "slb2", "db1"];
// Queries through the VIPs from the internal segment; not part of either stack.
const CLIENT = "web1";
const READ_VIP = "192.168.31.20";
const WRITE_VIP = "192.168.31.30";
const CHECK_PASSWORD = "lab-check-pw";

const hosts = (names: string[]) => Object.fromEntries(names.map((h) => [h, labHost(h)]));

function poolsTopology() {
  return {
    hosts: hosts(POOLS),
    directorPairs: {
      ilb: {
        master: "lb1", backup: "lb2",
        instances: { VI_DB: { interface: "eth1", virtualRouterId: 51, virtualIps: [READ_VIP], authentication: { secret: "vrrpAuth" } } },
        virtualServers: { mysql: { vip: READ_VIP, port: 3306, pool: "replicas", lbAlgo: "lc", lbKind: "DR" } },
      },
    },
    pools: {
      replicas: {
        port: 3306,
        realServers: { db2: {}, db3: {} },
        checks: [{ type: "MYSQL_REPLICATION", maxLagSeconds: 30, password: { secret: "mysqlCheckPassword" } }],
      },
    },
  };
}

function staticTopology() {
  return {
    hosts: hosts(STATIC),
    directorPairs: {
      slb: {
        master: "slb1", backup: "slb2", ipvs: "static",
        instances: { VI_STATIC: { interface: "eth0", virtualRouterId: 71, virtualIps: [WRITE_VIP], nopreempt: true, authentication: { secret: "vrrpAuth" } } },
        virtualServers: { mysql: { vip: WRITE_VIP, port: 3306, pool: "primary", lbAlgo: "rr", lbKind: "DR" } },
      },
    },
    pools: { primary: { port: 3306, realServers: { db1: {} } } },
  };
}

/** Which database server answers a query through a VIP, asked from the client. */
const holds = (host: string, vip: string) => run(host, "ip -4 -o addr show").includes(` ${vip}/`);
const answerFrom = (vip: string) => run(CLIENT, `mysql --defaults-extra-file=/root/app.cnf -h ${vip} --connect-timeout=5 -N -e 'SELECT @@hostname'`).trim();

describe("internal pools on lab hosts: MySQL replicas behind the replication check, and a second stack beside the first", () => {
  const p = dsasProject("dsas-pools");
  const up = (stack: string) => p.pulumi(["up", "--yes", "--stack", stack]);

  beforeAll(async () => {
    lab("up", "--only", ...POOLS, ...STATIC, CLIENT);
    // The databases themselves are not the stack's: MariaDB replication set up by the lab.
    await setUpReplication("dsas_check", CHECK_PASSWORD);
    writeClientLogin(CLIENT);
    const key = { [`dsas:${LAB_KEY_CONFIG}`]: labPrivateKey() };
    p.init("pools", { "dsas:topology": poolsTopology() }, { "dsas:vrrpAuth": "labPass1", "dsas:mysqlCheckPassword": CHECK_PASSWORD, ...key });
    p.init("static", { "dsas:topology": staticTopology() }, { "dsas:vrrpAuth": "labPass2", ...key });
  }, 1_800_000);
  afterAll(() => {
    // Leave the hosts as booted for the lab's other files.
    for (const stack of p.stacks()) p.pulumi(["destroy", "--yes", "--stack", stack]);
    p.remove();
  }, 600_000);

  it("serves the read VIP from both replicas over LVS-DR, each checked by its replication state", async () => {
    const r = up("pools");
    expect(r.code, r.out).toBe(0);
    const inTable = (rs: string) => run("lb1", `ipvsadm -Ln -t ${READ_VIP}:3306`).includes(`${rs}:3306`);
    await until("both replicas pass the check", () => inTable("192.168.31.122") && inTable("192.168.31.123"), 120);
    await until("the master lb1 holds the read VIP, lb2 not", () => holds("lb1", READ_VIP) && !holds("lb2", READ_VIP), 60);
    const table = run("lb1", "ipvsadm -Ln");
    expect(table).toMatch(/TCP {2}192\.168\.31\.20:3306 lc/);
    expect(table).toMatch(/-> 192\.168\.31\.122:3306 +Route +1 /);
    expect(table).toMatch(/-> 192\.168\.31\.123:3306 +Route +1 /);
    // DR: the replicas hold the VIP on lo and do not answer ARP for it.
    expect(run("db2", "ip -4 -o addr show dev lo")).toContain(` ${READ_VIP}/32`);
    expect(run("db2", "sysctl -n net.ipv4.conf.all.arp_ignore")).toBe("1\n");
    const answers = new Set(Array.from({ length: 8 }, () => answerFrom(READ_VIP)));
    expect([...answers].sort()).toEqual(["db2", "db3"]);
    // The check's credentials are a root-only file on the directors, not in keepalived.conf.
    expect(run("lb1", "stat -c '%a %U' /etc/keepalived/dsas/mysql-replicas.cnf")).toBe("600 root\n");
    expect(run("lb1", "cat /etc/keepalived/keepalived.conf")).not.toContain(CHECK_PASSWORD);
  }, 600_000);

  it("takes a replica whose replication stopped out of the pool, and back once it replicates again", async () => {
    // Out of the pool: out of both directors' tables, each with its own checker; back: in both.
    const tables = () => ["lb1", "lb2"].map((h) => run(h, `ipvsadm -Ln -t ${READ_VIP}:3306`).includes("192.168.31.122:3306"));
    const inTable = () => tables().every(Boolean);
    run("db2", "mysql -e 'STOP SLAVE'");
    const out = await until("db2 out of the pool", () => !tables().some(Boolean), 90);
    console.log(`replication check: db2 removed ${out.toFixed(1)} s after STOP SLAVE`);
    expect(new Set(Array.from({ length: 4 }, () => answerFrom(READ_VIP)))).toEqual(new Set(["db3"]));
    expect(run("lb1", "journalctl -u keepalived -o cat --no-pager")).toMatch(/192\.168\.31\.122\]:tcp:3306.*(failed|Removing)/);
    run("db2", "mysql -e 'START SLAVE'");
    const back = await until("db2 back in the pool", inTable, 90);
    console.log(`replication check: db2 back ${back.toFixed(1)} s after START SLAVE`);
  }, 300_000);

  it("deploys a second stack, static ipvsadm rules for the primary, without touching the first", async () => {
    const before = Object.fromEntries(POOLS.map((h) => [h, logins(h)]));
    const r = up("static");
    expect(r.code, r.out).toBe(0);
    for (const h of POOLS) expect(logins(h) - before[h] - 1, `${h}: SSH connections during the other stack's up`).toBe(0);
    // With nopreempt, whichever director came up first keeps the VIP: the backup, deployed first.
    const holder = () => ["slb1", "slb2"].filter((h) => run(h, "ip -4 -o addr show").includes(` ${WRITE_VIP}/`));
    await until("one director holds the write VIP", () => holder().length === 1, 60);
    // The rules file loaded by ipvsadm -R is what the kernel lists, on both directors.
    const kernel = run("slb1", "ipvsadm -Sn");
    expect(kernel).toContain(`-A -t ${WRITE_VIP}:3306 -s rr`);
    expect(kernel).toContain(`-a -t ${WRITE_VIP}:3306 -r 192.168.31.121:3306 -g -w 1`);
    const rules = run("slb1", "grep -v '^#' /etc/ipvsadm.rules | sed '/^$/d'");
    expect(kernel.trim().split("\n").sort()).toEqual(rules.trim().split("\n").sort());
    expect(run("slb2", "ipvsadm -Sn")).toBe(kernel);
    expect(answerFrom(WRITE_VIP)).toBe("db1");
    // The first stack is as it was: nothing to change, and it still serves.
    expect(p.pulumi(["preview", "--stack", "pools"]).out).toMatch(/Resources:\s+\d+ unchanged/);
    expect(["db2", "db3"]).toContain(answerFrom(READ_VIP));
  }, 600_000);

  it("deploys one DirectorPair on its own from the library example, once the static stack is destroyed", async () => {
    const d = p.pulumi(["destroy", "--yes", "--stack", "static"]);
    expect(d.code, d.out).toBe(0);
    const example = dsasProject("dsas-library", "examples/director-pair");
    try {
      const EDGE_VIP = "192.168.31.40";
      example.init("edge", {
        "dsas-director-pair:pair": "edge",
        "dsas-director-pair:topology": {
          hosts: hosts(["slb1", "slb2"]),
          directorPairs: {
            edge: {
              master: "slb1", backup: "slb2",
              instances: { VI_EDGE: { interface: "eth0", virtualRouterId: 81, virtualIps: [EDGE_VIP], authentication: { secret: "vrrpAuth" } } },
            },
          },
        },
      }, { "dsas-director-pair:vrrpAuth": "labPass3", [`dsas-director-pair:${LAB_KEY_CONFIG}`]: labPrivateKey() });
      const r = example.pulumi(["up", "--yes", "--stack", "edge"]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/slb2-keepalived created[\s\S]*slb1-keepalived created/);
      const holds = (h: string) => run(h, "ip -4 -o addr show").includes(` ${EDGE_VIP}/`);
      await until("slb1 holds the pair's VIP, slb2 not", () => holds("slb1") && !holds("slb2"), 60);
      expect(run("slb1", "grep -c virtual_server /etc/keepalived/keepalived.conf || true").trim()).toBe("0");
      const gone = example.pulumi(["destroy", "--yes", "--stack", "edge"]);
      expect(gone.code, gone.out).toBe(0);
      await until("the VIP is gone", () => !holds("slb1") && !holds("slb2"), 60);
    } finally {
      example.remove();
    }
  }, 600_000);
});
