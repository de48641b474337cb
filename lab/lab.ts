#!/usr/bin/env node
// The lab CLI: Debian VMs under qemu (TCG) on this machine, with the real
// kernel's IPVS and DRBD (lab/vm.ts).
//   lab up [HOST...]    boot (idempotent; a few at a time) or resume, and wait for sshd with the pinned key
//        --only         then pause every other guest: the work at hand uses only these
//        --paused       pause each guest once it is up: booted ahead for later work
//   lab pause [HOST...] pause running guests (no CPU; `up` resumes them)
//   lab down [HOST...]  stop the VMs, keeping their disks
//   lab reset [HOST...] stop the VMs and discard their disks (host keys stay)
//   lab status          JSON: each host's SSH port, cluster addresses, up or not
//   lab memory          JSON: each running guest's qemu resident memory, MiB
import { names, down, pause, reset, residentMiB, status, up } from "./vm.ts";

const USAGE = "usage: lab up [--only|--paused] [HOST...] | lab down|reset|pause [HOST...] | lab status | lab memory";

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const flags = rest.filter((a) => a.startsWith("--"));
  const hosts = rest.filter((a) => !a.startsWith("--"));
  const bad = flags.filter((f) => command !== "up" || !["--only", "--paused"].includes(f));
  if (bad.length) throw new Error(`unknown option ${bad.join(", ")}; ${USAGE}`);
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\nhosts: ${names.join(" ")}\n`);
    return;
  }
  const unknown = hosts.filter((h) => !names.includes(h));
  if (unknown.length) throw new Error(`not lab hosts: ${unknown.join(", ")} (known: ${names.join(", ")})`);
  const selected = hosts.length ? hosts : names;
  if (command === "up") await up(selected, { only: flags.includes("--only"), paused: flags.includes("--paused") });
  else if (command === "pause") await pause(selected);
  else if (command === "down") down(selected);
  else if (command === "reset") reset(selected);
  else if (command === "status") process.stdout.write(`${JSON.stringify(await status(), null, 2)}\n`);
  else if (command === "memory") process.stdout.write(`${JSON.stringify(residentMiB(), null, 2)}\n`);
  else throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`[lab] error: ${e.message}\n`);
  process.exitCode = 1;
});
