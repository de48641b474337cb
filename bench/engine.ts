#!/usr/bin/env node
// How the engine's cost grows with the number of hosts: generated stacks
// (bench/stacks.ts) run by the real engine on a throwaway file backend:
// `pulumi preview`, a first `pulumi up` and a no-change `pulumi up`. The hosts
// do not exist: the provider runs with DSAS_PROVIDER_SKIP_SSH=bench, set here
// and nowhere else, so it connects to nothing and applies nothing, and what is
// measured is the engine, the program and the provider's own work.
// Reports wall time and the peak resident memory of the whole process tree
// (CLI, language host, Node program, provider), sampled every 100 ms.
//   node bench/engine.ts [N...]   (default 10 100 200 500; RUNS=3; inside `eval "$(npm run -s env)"`)
// The medians go to docs/data/engine.json, which bench/plot.ts draws.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { stack } from "./stacks.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "dsas-engine-bench-"));
const project = join(dir, "project");
mkdirSync(project);
mkdirSync(join(dir, "backend"));
for (const f of ["Pulumi.yaml", "package.json", "index.ts", "components", "templates", "node_modules"]) symlinkSync(join(ROOT, f), join(project, f));
const env = { ...process.env, PULUMI_BACKEND_URL: `file://${join(dir, "backend")}`, PULUMI_CONFIG_PASSPHRASE: "bench", DSAS_PROVIDER_SKIP_SSH: "bench" };

function pulumi(args: string[], input?: string) {
  const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

function treeRssKiB(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, "utf8");
      parent.set(Number(d), Number(/^PPid:\s+(\d+)/m.exec(status)![1]));
      rss.set(Number(d), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch { /* gone */ }
  }
  const inTree = (pid: number): boolean => pid === root || (parent.has(pid) && pid > 1 && inTree(parent.get(pid)!));
  let total = 0;
  for (const [pid, kib] of rss) if (inTree(pid)) total += kib;
  return total;
}

interface Run { seconds: number; mib: number; out: string }

function timed(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: project, env });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, treeRssKiB(child.pid!)); }, 100);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) return fail(new Error(out));
      done({ seconds: Number(process.hrtime.bigint() - start) / 1e9, mib: peak / 1024, out });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;

const sizes = process.argv.slice(2).map(Number);
const results: object[] = [];
try {
  console.log(`| hosts | resources | preview s | first up s | no-change up s | peak RSS MiB |`);
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const n of sizes.length ? sizes : [10, 100, 200, 500]) {
    const doc = stack(n, { insecureFirstContact: true });
    const { "dsas:vrrpAuth": vrrpAuth, "dsas:checkPw": checkPw, ...config } = doc.config;
    const previews: Run[] = [], firsts: Run[] = [], same: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      // A stack of its own per run, so every first up starts from nothing.
      const name = `n${n}r${i}`;
      writeFileSync(join(project, `Pulumi.${name}.yaml`), stringify({ config }));
      pulumi(["stack", "init", name]);
      pulumi(["config", "set", "--secret", "vrrpAuth", "--stack", name], vrrpAuth);
      pulumi(["config", "set", "--secret", "checkPw", "--stack", name], checkPw);
      previews.push(await timed(["preview", "--stack", name]));
      firsts.push(await timed(["up", "--yes", "--skip-preview", "--stack", name]));
      same.push(await timed(["up", "--yes", "--skip-preview", "--stack", name]));
      if (!/Resources:\s+\d+ unchanged/.test(same.at(-1)!.out)) throw new Error(`the second up changed something:\n${same.at(-1)!.out}`);
    }
    const resources = Number(/\+ (\d+) to create/.exec(previews[0].out)?.[1] ?? 0);
    const s = (runs: Run[]) => runs.map((r) => r.seconds);
    const mib = Math.max(...[...previews, ...firsts, ...same].map((r) => r.mib));
    console.log(`| ${n} | ${resources} | ${range(s(previews))} | ${range(s(firsts))} | ${range(s(same))} | ${mib.toFixed(0)} |`);
    results.push({ hosts: n, resources, previewS: median(s(previews)), firstUpS: median(s(firsts)), noChangeUpS: median(s(same)), peakMiB: Math.round(mib) });
  }
  writeFileSync(join(ROOT, "docs/data/engine.json"), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
