#!/usr/bin/env node
// The lab: Debian VMs under qemu (TCG) on this machine, with the real kernel's
// IPVS and DRBD. Each VM's sshd is forwarded to a 127.0.0.1 port; the cluster
// segments exist only between the VMs.
//   lab up [HOST...]    boot (idempotent) and wait for sshd with the pinned key
//   lab down [HOST...]  stop the VMs, keeping their disks
//   lab reset [HOST...] stop the VMs and discard their disks (host keys stay)
//   lab status          JSON: each host's SSH port, cluster addresses, up or not
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { HOSTS, SEGMENTS, SSH_PORT_BASE, type LabHost } from "./inventory.ts";

const ROOT = resolve(import.meta.dirname, "..");
const LAB = join(ROOT, ".local/lab");
const KEY = join(LAB, "id_ed25519");
const BOOT_TIMEOUT_S = 600;

const say = (s: string) => process.stderr.write(`[lab] ${s}\n`);
const names = Object.keys(HOSTS);
const index = (host: string) => names.indexOf(host);
const sshPort = (host: string) => SSH_PORT_BASE + index(host);
const vmDir = (host: string) => join(LAB, "vms", host);
const hex = (n: number) => n.toString(16).padStart(2, "0");

export function pidOf(host: string): number | undefined {
  // qemu removes its pid file as it exits, so any read may find it gone.
  try {
    const pid = Number(readFileSync(join(vmDir(host), "qemu.pid"), "utf8").trim());
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("qemu-system") ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function hostKey(host: string): string {
  return readFileSync(join(vmDir(host), "cfg/ssh/ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
}

function networkFiles(host: string, h: LabHost): Record<string, string> {
  const files: Record<string, string> = {};
  Object.entries(h.interfaces).forEach(([, nic], i) => {
    files[`10-cluster${i}.network`] = `[Match]\nMACAddress=${clusterMac(host, i)}\n\n[Network]\nAddress=${nic.address}\nIPv6AcceptRA=no\nLinkLocalAddressing=no\n`;
  });
  files["90-mgmt.network"] = `[Match]\nMACAddress=${mgmtMac(host)}\n\n[Network]\nAddress=10.0.2.15/24\nIPv6AcceptRA=no\nLinkLocalAddressing=no\n`;
  return files;
}
const clusterMac = (host: string, i: number) => `52:54:00:0${i + 1}:00:${hex(index(host) + 1)}`;
const mgmtMac = (host: string) => `52:54:00:ff:00:${hex(index(host) + 1)}`;

function prepare(host: string, image: string): void {
  const dir = vmDir(host);
  const cfg = join(dir, "cfg");
  mkdirSync(join(cfg, "ssh"), { recursive: true });
  mkdirSync(join(cfg, "network"), { recursive: true });
  const hk = join(cfg, "ssh/ssh_host_ed25519_key");
  if (!existsSync(hk)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${host}.lab`, "-f", hk]);
  writeFileSync(join(cfg, "hostname"), `${host}\n`);
  writeFileSync(join(cfg, "authorized_keys"), readFileSync(`${KEY}.pub`));
  for (const [f, text] of Object.entries(networkFiles(host, HOSTS[host]))) writeFileSync(join(cfg, "network", f), text);
  rmSync(join(dir, "cfg.img"), { force: true });
  execFileSync("mkfs.ext4", ["-q", "-L", "dsas-cfg", "-d", cfg, join(dir, "cfg.img"), "4M"]);

  // A new image means new overlays: the old ones point at a disk that is gone.
  const base = join(image, "disk.img");
  const overlay = join(dir, "root.qcow2");
  const stamp = join(dir, "image");
  if (!existsSync(overlay) || !existsSync(stamp) || readFileSync(stamp, "utf8") !== base) {
    rmSync(overlay, { force: true });
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, overlay]);
    writeFileSync(stamp, base);
  }
  const data = join(dir, "data.qcow2");
  if (HOSTS[host].dataDiskMB && !existsSync(data)) {
    execFileSync("qemu-img", ["create", "-q", "-f", "qcow2", data, `${HOSTS[host].dataDiskMB}M`]);
  }
}

function boot(host: string, image: string): void {
  const dir = vmDir(host);
  const h = HOSTS[host];
  const args = [
    "-name", `dsas-lab-${host}`,
    "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "1", "-m", String(h.memoryMB ?? 512),
    "-display", "none", "-serial", `file:${join(dir, "console.log")}`, "-monitor", "none",
    "-daemonize", "-pidfile", join(dir, "qemu.pid"),
    "-kernel", join(image, "vmlinuz"), "-initrd", join(image, "initrd.img"),
    "-append", "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet",
    "-drive", `file=${join(dir, "root.qcow2")},if=virtio,format=qcow2`,
    "-drive", `file=${join(dir, "cfg.img")},if=virtio,format=raw,readonly=on`,
    ...(h.dataDiskMB ? ["-drive", `file=${join(dir, "data.qcow2")},if=virtio,format=qcow2`] : []),
  ];
  Object.values(h.interfaces).forEach((nic, i) => {
    args.push("-netdev", `socket,id=c${i},mcast=230.0.0.1:${SEGMENTS[nic.segment].port},localaddr=127.0.0.1`,
      "-device", `virtio-net-pci,netdev=c${i},mac=${clusterMac(host, i)}`);
  });
  args.push("-netdev", `user,id=mgmt,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:${sshPort(host)}-:22`,
    "-device", `virtio-net-pci,netdev=mgmt,mac=${mgmtMac(host)}`);
  const r = spawnSync("qemu-system-x86_64", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${host}: qemu failed to start: ${(r.stderr || r.error?.message || "").trim()}`);
}

/** True once sshd's banner arrives. qemu accepts on the forwarded port before the
 * guest listens, then closes: every outcome must settle the promise. */
function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port, timeout: timeoutMs });
    s.once("data", () => { s.destroy(); res(true); });
    s.once("timeout", () => { s.destroy(); res(false); });
    s.once("error", () => res(false));
    s.once("close", () => res(false));
  });
}

/** ssh into a lab host with the pinned host key; returns the command's result. */
export function ssh(host: string, command: string, input?: string) {
  const knownHosts = join(LAB, "known_hosts");
  return spawnSync("ssh", [
    "-i", KEY, "-p", String(sshPort(host)), "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "LogLevel=ERROR", "root@127.0.0.1", command,
  ], { encoding: "utf8", input, timeout: 120_000 });
}

/** Logins sshd accepted so far on a host, from its journal; the counting login itself is the last one. */
export function logins(host: string): number {
  const r = ssh(host, "journalctl -u ssh -o cat --no-pager | grep -c 'Accepted publickey'");
  if (r.status !== 0) throw new Error(`${host}: counting sshd logins: exit ${r.status}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Waits until ok() holds, polling every 250 ms; the seconds it took. */
export async function until(what: string, ok: () => boolean, seconds: number): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > seconds * 1000) throw new Error(`not within ${seconds} s: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return (Date.now() - start) / 1000;
}

function writeKnownHosts(): void {
  const lines = names.filter((h) => existsSync(join(vmDir(h), "cfg/ssh/ssh_host_ed25519_key.pub")))
    .map((h) => `[127.0.0.1]:${sshPort(h)} ${hostKey(h)}`);
  writeFileSync(join(LAB, "known_hosts"), `${lines.join("\n")}\n`);
}

async function up(selected: string[]): Promise<void> {
  for (const tool of ["qemu-system-x86_64", "qemu-img", "mkfs.ext4", "ssh", "ssh-keygen"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing (apt-get install qemu-system-x86 qemu-utils e2fsprogs openssh-client)`);
  }
  const image = execFileSync("bash", [join(ROOT, "lab/image.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  mkdirSync(LAB, { recursive: true });
  if (!existsSync(KEY)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "dsas-lab", "-f", KEY]);
  const started = Date.now();
  for (const host of selected) {
    if (pidOf(host)) {
      say(`${host} already running (ssh port ${sshPort(host)})`);
      continue;
    }
    prepare(host, image);
    boot(host, image);
    say(`${host} booting (ssh 127.0.0.1:${sshPort(host)})`);
  }
  writeKnownHosts();
  const waiting = new Set(selected);
  while (waiting.size) {
    for (const host of [...waiting]) {
      if (!pidOf(host)) throw new Error(`${host}: qemu exited; see ${join(vmDir(host), "console.log")}`);
      if (await portOpen(sshPort(host)) && ssh(host, "systemctl is-system-running --wait >/dev/null; true").status === 0) {
        waiting.delete(host);
        say(`${host} up after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    if ((Date.now() - started) / 1000 > BOOT_TIMEOUT_S) throw new Error(`not up after ${BOOT_TIMEOUT_S} s: ${[...waiting].join(", ")}`);
    if (waiting.size) await new Promise((r) => setTimeout(r, 2000));
  }
}

function down(selected: string[]): void {
  for (const host of selected) {
    const pid = pidOf(host);
    if (!pid) continue;
    process.kill(pid, "SIGTERM");
    // qemu exits at once on SIGTERM; wait so a following `up` cannot see it.
    for (let i = 0; i < 100 && pidOf(host); i++) spawnSync("sleep", ["0.1"]);
    if (pidOf(host)) process.kill(pid, "SIGKILL");
    say(`${host} stopped`);
  }
}

function reset(selected: string[]): void {
  down(selected);
  for (const host of selected) {
    for (const f of ["root.qcow2", "data.qcow2"]) rmSync(join(vmDir(host), f), { force: true });
  }
}

async function status(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const host of names) {
    out[host] = {
      sshPort: sshPort(host),
      addresses: Object.fromEntries(Object.entries(HOSTS[host].interfaces).map(([i, n]) => [i, n.address])),
      // A busy TCG guest can take seconds to send its banner; a running VM is not down for that.
      up: pidOf(host) !== undefined && await portOpen(sshPort(host), 15_000),
    };
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...hosts] = argv;
  const unknown = hosts.filter((h) => !HOSTS[h]);
  if (unknown.length) throw new Error(`not lab hosts: ${unknown.join(", ")} (known: ${names.join(", ")})`);
  const selected = hosts.length ? hosts : names;
  if (command === "up") await up(selected);
  else if (command === "down") down(selected);
  else if (command === "reset") reset(selected);
  else if (command === "status") process.stdout.write(`${JSON.stringify(await status(), null, 2)}\n`);
  else throw new Error("usage: lab up|down|reset [HOST...] | lab status");
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((e: Error) => {
    say(`error: ${e.message}`);
    process.exitCode = 1;
  });
}
