#!/usr/bin/env node
// Failover seen by a client, on the lab stack after `npm run lab`: a steady
// stream of new connections through the web VIP from the client VM, and an
// ICMP echo to the VIP every 50 ms, while the master director's VM is frozen
// (SIGSTOP: no advert, no goodbye), for VRRPv2 with advert_int 1 s and VRRPv3
// with sub-second adverts. Reports how long the VIP was silent, the longest
// gap between answered requests and the failed requests, beside the physical
// limit 3 x advert_int + skew, and writes docs/data/failover.json (timelines).
// The stack is put back as it was at the end.
//   node bench/failover.ts [RUNS]        (inside `eval "$(npm run -s env)"`)
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { pidOf, ssh } from "../lab/vm.ts";
import { until } from "../test/helpers/lab.ts";
import { LAB_CLIENT } from "../lab/stack.ts";
import { type Answer, RequestStream } from "../lab/traffic.ts";

const ROOT = resolve(import.meta.dirname, "..");
const STACK_FILE = join(ROOT, "Pulumi.lab.yaml");
const runs = Number(process.argv[2] ?? 3);
const URL = "http://10.10.31.100/";
const TIMEOUT = 0.5;

type Instance = { advertInt?: number; vrrpVersion?: number; authentication?: unknown; virtualIps: string[]; priority?: { backup?: number } };
const variants: { name: string; advertInt: number; edit: (i: Instance) => void }[] = [
  { name: "VRRPv2, advert_int 1 s", advertInt: 1, edit: () => {} },
  { name: "VRRPv3, advert_int 0.2 s", advertInt: 0.2, edit: (i) => { i.vrrpVersion = 3; i.advertInt = 0.2; delete i.authentication; } },
];

function pulumiUp(): void {
  const r = spawnSync("pulumi", ["up", "--yes", "--stack", "lab", "--non-interactive"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pulumi up: ${r.stdout}${r.stderr}`);
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const holds = (host: string, vips: string[]) => {
  const addrs = ssh(host, "ip -4 -o addr show").stdout;
  return vips.every((v) => addrs.includes(` ${v}/`));
};

/** The longest time between two batches that got answers, and when it began. */
function outage(answers: Answer[]): { gap: number; from: number } {
  const ok = [...new Set(answers.filter((a) => a.code === 200).map((a) => a.t))].sort((a, b) => a - b);
  let best = { gap: 0, from: ok[0] };
  for (let i = 1; i < ok.length; i++) if (ok[i] - ok[i - 1] > best.gap) best = { gap: ok[i] - ok[i - 1], from: ok[i - 1] };
  return best;
}

const original = readFileSync(STACK_FILE, "utf8");
const results: unknown[] = [];
try {
  for (const v of variants) {
    const doc = parse(original);
    const pair = Object.values(doc.config["dsas:topology"].directorPairs)[0] as { master: string; backup: string; instances: Record<string, Instance> };
    for (const inst of Object.values(pair.instances)) v.edit(inst);
    writeFileSync(STACK_FILE, stringify(doc));
    console.error(`[bench] ${v.name}: pulumi up`);
    pulumiUp();
    const vips = Object.values(pair.instances).flatMap((i) => i.virtualIps);
    const backupPriority = Object.values(pair.instances)[0].priority?.backup ?? 100;
    const limit = 3 * v.advertInt + ((256 - backupPriority) / 256) * v.advertInt;
    await until(`${pair.master} holds every VIP`, () => holds(pair.master, vips), 60);
    for (let run = 1; run <= runs; run++) {
      const stream = new RequestStream(LAB_CLIENT, URL, { parallel: 4, batch: 4, connectTimeout: TIMEOUT, maxTime: 1, maxSeconds: 120 }, "failover");
      // The VIP itself, every 50 ms: whoever holds it answers the echo.
      ssh(LAB_CLIENT, `rm -f /tmp/dsas-ping; setsid ping -D -n -i 0.05 -w 120 ${new globalThis.URL(URL).hostname} </dev/null >/tmp/dsas-ping 2>&1 &`);
      await sleep(6);
      const vm = pidOf(pair.master)!;
      process.kill(vm, "SIGSTOP");
      try {
        await until(`${pair.backup} holds every VIP`, () => holds(pair.backup, vips), 60);
        await sleep(6);
      } finally {
        process.kill(vm, "SIGCONT");
      }
      await until(`${pair.master} holds every VIP again`, () => holds(pair.master, vips) && !holds(pair.backup, vips), 60);
      await sleep(4);
      const answers = await stream.stop();
      ssh(LAB_CLIENT, "pkill -x ping");
      const echoes = ssh(LAB_CLIENT, "cat /tmp/dsas-ping").stdout.split("\n").map((l) => /^\[([\d.]+)\].*icmp_seq=/.exec(l)?.[1]).filter((t) => t !== undefined).map(Number);
      const vipGap = Math.max(...echoes.slice(1).map((t, i) => t - echoes[i]));
      const { gap, from } = outage(answers);
      const failed = answers.filter((a) => a.code !== 200).length;
      const batches = [...new Set(answers.map((a) => a.t))].sort((a, b) => a - b);
      const batchS = batches.slice(1).map((t, i) => t - batches[i]).sort((a, b) => a - b)[Math.floor(batches.length / 2)];
      console.error(`[bench] ${v.name} run ${run}: VIP silent ${vipGap.toFixed(2)} s, longest gap between answered requests ${gap.toFixed(2)} s (limit ${limit.toFixed(2)} s), ${failed} of ${answers.length} failed`);
      results.push({
        variant: v.name, advertInt: v.advertInt, limitS: limit, run, vipGapS: vipGap, gapS: gap, failed, requests: answers.length, medianBatchS: batchS,
        timeline: answers.map((a) => ({ t: Number((a.t - from).toFixed(3)), ok: a.code === 200 })),
        echoes: echoes.map((t) => Number((t - from).toFixed(3))),
      });
    }
  }
} finally {
  writeFileSync(STACK_FILE, original);
  console.error("[bench] the stack as it was: pulumi up");
  pulumiUp();
}
writeFileSync(join(ROOT, "docs/data/failover.json"), `${JSON.stringify(results)}\n`);

type Result = { variant: string; limitS: number; vipGapS: number; gapS: number; failed: number; requests: number; medianBatchS: number };
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { med: s[Math.floor(s.length / 2)], text: `${s[Math.floor(s.length / 2)].toFixed(2)} (${s[0].toFixed(2)}-${s.at(-1)!.toFixed(2)})` };
};
console.log("| adverts | physical limit s | VIP silent s (ICMP every 50 ms), median (min-max) | / limit | longest gap between answered requests s | / limit | failed requests per run | median batch s |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const v of variants) {
  const rs = (results as Result[]).filter((r) => r.variant === v.name);
  const [vip, gap] = [summary(rs.map((r) => r.vipGapS)), summary(rs.map((r) => r.gapS))];
  console.log(`| ${v.name} | ${rs[0].limitS.toFixed(2)} | ${vip.text} | ${(vip.med / rs[0].limitS).toFixed(2)} | ${gap.text} | ${(gap.med / rs[0].limitS).toFixed(2)} `
    + `| ${rs.map((r) => `${r.failed}/${r.requests}`).join(", ")} | ${rs.map((r) => r.medianBatchS.toFixed(2)).join(", ")} |`);
}
