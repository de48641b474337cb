#!/usr/bin/env node
// How `pulumi preview` of the dsas program grows with the number of hosts:
// generated stacks (bench/stacks.ts) previewed by the real engine on a
// throwaway file backend. A preview connects to no host, so the hosts need
// not exist. Reports wall time and the peak resident memory of the whole
// process tree (CLI, language host, Node program, provider), sampled every 100 ms.
//   node bench/preview.ts [N...]   (default 10 100 500; RUNS=3; inside `eval "$(npm run -s env)"`)
// The medians also go to docs/data/preview.json, which bench/plot.ts draws.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { stack } from "./stacks.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "dsas-preview-bench-"));
const project = join(dir, "project");
mkdirSync(project);
mkdirSync(join(dir, "backend"));
for (const f of ["Pulumi.yaml", "package.json", "index.ts", "components", "templates", "node_modules"]) symlinkSync(join(ROOT, f), join(project, f));
const env = { ...process.env, PULUMI_BACKEND_URL: `file://${join(dir, "backend")}`, PULUMI_CONFIG_PASSPHRASE: "bench" };

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

function preview(name: string): Promise<{ seconds: number; mib: number; resources: number }> {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn("pulumi", ["preview", "--stack", name, "--non-interactive", ...(process.env.PREVIEW_ARGS?.split(" ").filter(Boolean) ?? [])], { cwd: project, env });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, treeRssKiB(child.pid!)); }, 100);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) return fail(new Error(out));
      const resources = Number(/\+ (\d+) to create/.exec(out)?.[1] ?? 0);
      done({ seconds: Number(process.hrtime.bigint() - start) / 1e9, mib: peak / 1024, resources });
    });
  });
}

const sizes = process.argv.slice(2).map(Number);
const results: object[] = [];
try {
  console.log(`| hosts | resources | pulumi preview s (median of ${RUNS}, min-max) | peak RSS of the process tree MiB |`);
  console.log("| --- | --- | --- | --- |");
  for (const n of sizes.length ? sizes : [10, 100, 500]) {
    const name = `n${n}`;
    const doc = stack(n, { insecureFirstContact: true });
    const { "dsas:vrrpAuth": vrrpAuth, "dsas:checkPw": checkPw, ...config } = doc.config;
    writeFileSync(join(project, `Pulumi.${name}.yaml`), stringify({ config }));
    pulumi(["stack", "init", name]);
    pulumi(["config", "set", "--secret", "vrrpAuth", "--stack", name], vrrpAuth);
    pulumi(["config", "set", "--secret", "checkPw", "--stack", name], checkPw);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await preview(name));
    const s = runs.map((r) => r.seconds).sort((a, b) => a - b);
    const median = s[Math.floor(s.length / 2)];
    const mib = Math.max(...runs.map((r) => r.mib));
    console.log(`| ${n} | ${runs[0].resources} | ${median.toFixed(1)} (${s[0].toFixed(1)}-${s.at(-1)!.toFixed(1)}) | ${mib.toFixed(0)} |`);
    results.push({ hosts: n, resources: runs[0].resources, previewS: median, peakMiB: Math.round(mib) });
  }
  writeFileSync(join(ROOT, "docs/data/preview.json"), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
