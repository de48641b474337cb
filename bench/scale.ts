#!/usr/bin/env node
// How the cost of `dsas check` and `dsas render` grows with the number of hosts.
// Generates stacks of N hosts (one director pair per 50 hosts, its real servers
// split between a NAT web pool and a DR MySQL pool), then times each command
// with /usr/bin/time, rendering once to disk (a temp folder) and once to tmpfs
// (/dev/shm), which separates the filesystem's cost from dsas's own.
// Usage: node bench/scale.ts [N...] (default 10 100 500). The medians also go to
// docs/data/scale.json, which bench/plot.ts draws.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { stack } from "./stacks.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = 5;

function measure(args: string[]): { seconds: number; mib: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, join(ROOT, "bin/dsas.ts"), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dsas ${args.join(" ")} failed: ${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds, mib: kb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sizes = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), "dsas-bench-"));
const results: object[] = [];
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
    const med = (xs: { seconds: number }[]) => median(xs.map((x) => x.seconds));
    results.push({ hosts: n, files, checkS: med(checks), renderDiskS: med(renders), renderTmpfsS: med(inMemory) });
  }
  writeFileSync(join(ROOT, "docs/data/scale.json"), `${JSON.stringify(results, null, 2)}\n`);
  rmSync(shm, { recursive: true, force: true });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
