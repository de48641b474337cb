#!/usr/bin/env node
// Deployment cost on the lab stack, after `npm run lab` has deployed it:
// wall time of `pulumi preview` and of a no-change `pulumi up` (median of N,
// min-max), and the SSH connections each host's sshd accepted during them.
//   node bench/deploy.ts [RUNS]        (inside `eval "$(npm run -s env)"`)
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { logins } from "../test/helpers/lab.ts";
import { LAB_HOSTS } from "../lab/stack.ts";

const ROOT = resolve(import.meta.dirname, "..");
const runs = Number(process.argv[2] ?? 5);

function timed(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync("pulumi", [...args, "--stack", "lab", "--non-interactive"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(2)} (${s[0].toFixed(2)}-${s.at(-1)!.toFixed(2)})`;
};

const before = Object.fromEntries(LAB_HOSTS.map((h) => [h, logins(h)]));
const preview = Array.from({ length: runs }, () => timed(["preview"]));
const up = Array.from({ length: runs }, () => timed(["up", "--yes"]));
// Each count is taken over SSH itself: subtract the counting logins.
const opened = LAB_HOSTS.map((h) => `${h} ${logins(h) - before[h] - 1}`);

console.log(`| what | seconds, median of ${runs} (min-max) |`);
console.log("| --- | --- |");
console.log(`| pulumi preview, lab stack | ${stats(preview)} |`);
console.log(`| pulumi up, no change | ${stats(up)} |`);
console.log(`\nSSH connections accepted per host over all ${runs * 2} runs: ${opened.join(", ")}`);
