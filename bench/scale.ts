#!/usr/bin/env node
// How the cost of `dsas check` and `dsas render` grows with the number of hosts.
// Generates stacks of N hosts (one director pair per 50 hosts, its real servers
// split between a NAT web pool and a DR MySQL pool), then times each command
// with /usr/bin/time, rendering once to disk (a temp folder) and once to tmpfs
// (/dev/shm), which separates the filesystem's cost from dsas's own.
// Usage: node bench/scale.ts [N...] (default 10 100 500).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = 5;

function stack(n: number): object {
  const hosts: Record<string, object> = {};
  const directorPairs: Record<string, object> = {};
  const pools: Record<string, object> = {};
  for (let p = 0, left = n; left > 0; p++) {
    const size = Math.min(50, left);
    left -= size;
    const ext = `10.${p}.1`, int = `10.${p}.2`;
    hosts[`lv${p}a`] = { interfaces: { eth0: `${ext}.11/24`, eth1: `${int}.11/24` } };
    hosts[`lv${p}b`] = { interfaces: { eth0: `${ext}.12/24`, eth1: `${int}.12/24` } };
    const web: Record<string, object> = {}, db: Record<string, object> = {};
    for (let i = 0; i < size - 2; i++) {
      hosts[`rs${p}x${i}`] = { interfaces: { eth0: `${int}.${20 + i}/24` } };
      (i % 2 ? db : web)[`rs${p}x${i}`] = { weight: 1 + (i % 3) };
    }
    pools[`web${p}`] = { port: 80, realServers: web, checks: [{ type: "HTTP_GET", path: "/health" }] };
    pools[`db${p}`] = { port: 3306, realServers: db, checks: [{ type: "MYSQL_REPLICATION", password: { secret: "checkPw" } }] };
    directorPairs[`lb${p}`] = {
      master: `lv${p}a`, backup: `lv${p}b`,
      instances: {
        VI_EXT: { interface: "eth0", virtualRouterId: 31, virtualIps: [`${ext}.100`], authentication: { secret: "vrrpAuth" } },
        VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: [`${int}.10`, `${int}.5`], authentication: { secret: "vrrpAuth" } },
      },
      syncGroups: { VG: { instances: ["VI_EXT", "VI_INT"] } },
      virtualServers: {
        web: { vip: `${ext}.100`, port: 80, pool: `web${p}`, lbKind: "NAT", gateway: `${int}.10` },
        db: { vip: `${int}.5`, port: 3306, pool: `db${p}`, lbKind: "DR" },
      },
    };
  }
  return { config: { "dsas:topology": { hosts, directorPairs, pools }, "dsas:vrrpAuth": "benchPw1", "dsas:checkPw": "bench" } };
}

function measure(args: string[]): { seconds: number; mib: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, join(ROOT, "bin/dsas.ts"), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dsas ${args.join(" ")} failed: ${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds, mib: kb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sizes = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), "dsas-bench-"));
try {
  console.log(`| hosts | files | dsas check s (median of ${RUNS}, min-max) | dsas render to disk s | dsas render to tmpfs s | render peak RSS MiB |`);
  console.log("| --- | --- | --- | --- | --- | --- |");
  const shm = mkdtempSync("/dev/shm/dsas-bench-");
  for (const n of sizes.length ? sizes : [10, 100, 500]) {
    const file = join(dir, `Pulumi.n${n}.yaml`);
    writeFileSync(file, stringify(stack(n)));
    const checks = [], renders = [], inMemory = [];
    for (let i = 0; i < RUNS; i++) {
      checks.push(measure(["check", file]));
      rmSync(join(dir, "out"), { recursive: true, force: true });
      renders.push(measure(["render", file, "--out", join(dir, "out")]));
      rmSync(join(shm, "out"), { recursive: true, force: true });
      inMemory.push(measure(["render", file, "--out", join(shm, "out")]));
    }
    const files = Number(/(\d+) files/.exec(execFileSync(process.execPath, [join(ROOT, "bin/dsas.ts"), "check", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }))![1]);
    const fmt = (xs: { seconds: number }[]) => {
      const s = xs.map((x) => x.seconds);
      return `${median(s).toFixed(2)} (${Math.min(...s).toFixed(2)}-${Math.max(...s).toFixed(2)})`;
    };
    console.log(`| ${n} | ${files} | ${fmt(checks)} | ${fmt(renders)} | ${fmt(inMemory)} | ${Math.max(...renders.map((r) => r.mib)).toFixed(0)} |`);
  }
  rmSync(shm, { recursive: true, force: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
