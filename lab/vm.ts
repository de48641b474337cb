// The lab's VMs: Debian guests under qemu (TCG) on this machine, with the
// real kernel's IPVS and DRBD. Each VM's sshd is forwarded to a 127.0.0.1
// port; the cluster segments exist only between the VMs. The lab CLI
// (lab/lab.ts), the tests' helpers and the benchmarks all use this module.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { HOSTS, SEGMENTS, SSH_PORT_BASE, type LabHost } from "./inventory.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const LAB = join(ROOT, ".local/lab");
export const KEY = join(LAB, "id_ed25519");

/**
 * qemu's TCG translation cache, MiB. Its default (1 GiB on a 64-bit host) is
 * what made each 512 MiB guest hold about 1.3 GiB; docs/benchmarks.md has the
 * boot time and resident memory measured for each size.
 */
export const TB_SIZE_MIB = Number(process.env.DSAS_LAB_TB_SIZE ?? 128);
/** How many guests boot at once: a busy 2-core machine boots them faster a few at a time than all at once (docs/benchmarks.md). */
export const PARALLEL_BOOTS = Number(process.env.DSAS_LAB_PARALLEL ?? 4);
/** A booting guest whose console has printed nothing new for this long, and whose sshd does not answer, is stuck. */
const STALL_S = 300;

const say = (s: string) => process.stderr.write(`[lab] ${s}\n`);
export const names = Object.keys(HOSTS);
const index = (host: string) => names.indexOf(host);
export const sshPort = (host: string) => SSH_PORT_BASE + index(host);
export const vmDir = (host: string) => join(LAB, "vms", host);
const hex = (n: number) => n.toString(16).padStart(2, "0");
const clusterMac = (host: string, i: number) => `52:54:00:0${i + 1}:00:${hex(index(host) + 1)}`;
const mgmtMac = (host: string) => `52:54:00:ff:00:${hex(index(host) + 1)}`;

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

/**
 * ssh into a lab host with the pinned host key; returns the command's result.
 * Calls share one connection per guest (a new login costs a TCG guest about
 * 2.5 s of CPU, a command over the shared one 0.2 s); a
 * frozen guest's shared connection dies within 15 s and the next call opens a
 * new one. `shared: false` logs in afresh, for counting logins.
 */
export function ssh(host: string, command: string, input?: string, shared = true) {
  const mux = shared
    ? ["-o", "ControlMaster=auto", "-o", `ControlPath=${join(LAB, "mux-%p")}`, "-o", "ControlPersist=yes", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"]
    : ["-o", "ControlPath=none"];
  return spawnSync("ssh", [
    "-i", KEY, "-p", String(sshPort(host)), "-o", `UserKnownHostsFile=${join(LAB, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "LogLevel=ERROR", ...mux, "root@127.0.0.1", command,
  ], { encoding: "utf8", input, timeout: 120_000 });
}

function networkFiles(host: string, h: LabHost): Record<string, string> {
  const files: Record<string, string> = {};
  Object.entries(h.interfaces).forEach(([, nic], i) => {
    files[`10-cluster${i}.network`] = `[Match]\nMACAddress=${clusterMac(host, i)}\n\n[Network]\nAddress=${nic.address}\nIPv6AcceptRA=no\nLinkLocalAddressing=no\n`;
  });
  files["90-mgmt.network"] = `[Match]\nMACAddress=${mgmtMac(host)}\n\n[Network]\nAddress=10.0.2.15/24\nIPv6AcceptRA=no\nLinkLocalAddressing=no\n`;
  return files;
}

function prepare(host: string, image: string): void {
  const dir = vmDir(host);
  const cfg = join(dir, "cfg");
  mkdirSync(join(cfg, "network"), { recursive: true });
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

function start(host: string, image: string): void {
  const dir = vmDir(host);
  const h = HOSTS[host];
  rmSync(join(dir, "console.log"), { force: true });
  const args = [
    "-name", `dsas-lab-${host}`,
    "-accel", `tcg,thread=multi,tb-size=${TB_SIZE_MIB}`, "-cpu", "max", "-smp", "1", "-m", String(h.memoryMB ?? 512),
    "-display", "none", "-serial", `file:${join(dir, "console.log")}`, "-monitor", "none",
    "-qmp", `unix:${qmpSocket(host)},server=on,wait=off`,
    "-daemonize", "-pidfile", join(dir, "qemu.pid"),
    "-kernel", join(image, "vmlinuz"), "-initrd", join(image, "initrd.img"),
    // Not quiet: the console's output is how a slow boot shows it is still making progress.
    "-append", "root=/dev/vda rw console=ttyS0 net.ifnames=0",
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

const qmpSocket = (host: string) => join(vmDir(host), "qmp.sock");

/**
 * One command to a guest's qemu over its QMP socket; its answer. Undefined
 * when the guest has no socket (a qemu started before it had one).
 */
function qmp(host: string, execute: string): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(qmpSocket(host))) return Promise.resolve(undefined);
  return new Promise((res, rej) => {
    const s = connect(qmpSocket(host));
    let buf = "";
    let negotiated = false;
    s.setTimeout(30_000, () => { s.destroy(); rej(new Error(`${host}: qemu did not answer ${execute} within 30 s`)); });
    s.on("error", (e) => rej(new Error(`${host}: qemu's QMP socket: ${e.message}`)));
    s.on("data", (d) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const msg = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        if ("QMP" in msg) s.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
        else if ("error" in msg) { s.destroy(); rej(new Error(`${host}: qemu refused ${execute}: ${JSON.stringify(msg.error)}`)); }
        else if ("return" in msg && !negotiated) { negotiated = true; s.write(`${JSON.stringify({ execute })}\n`); }
        else if ("return" in msg) { s.destroy(); res(msg.return as Record<string, unknown>); }
      }
    });
  });
}

/** A paused guest's vCPUs and clock stand still: it costs no CPU, and nothing in it notices the pause but the wall clock. */
export const isPaused = async (host: string) => pidOf(host) !== undefined && (await qmp(host, "query-status"))?.status === "paused";

/**
 * Pauses running guests, so that guests the work at hand does not use cost
 * this machine nothing (an idle TCG guest takes 1-2% of a core, more with its
 * services running).
 */
export async function pause(selected: string[]): Promise<void> {
  for (const h of selected) {
    if (pidOf(h) && !(await isPaused(h)) && await qmp(h, "stop")) say(`${h} paused`);
  }
}

/** Resumes paused guests and sets their clocks, which stood still while they were paused. */
async function resume(selected: string[]): Promise<void> {
  for (const h of selected) {
    if (!(await isPaused(h))) continue;
    await qmp(h, "cont");
    // The login first (seconds on a busy machine), then the time, over the open connection.
    ssh(h, "true");
    const r = ssh(h, `date -s @${(Date.now() / 1000).toFixed(3)} >/dev/null`);
    if (r.status !== 0) throw new Error(`${h}: setting the clock after the pause: exit ${r.status}: ${r.stderr}`);
    say(`${h} resumed`);
  }
}

/** True once sshd's banner arrives. qemu accepts on the forwarded port before the
 * guest listens, then closes: every outcome must settle the promise. A guest
 * that listens answers at once when idle, but takes several seconds while
 * other guests boot beside it, so the wait is as long as ssh's own. */
export function portOpen(port: number, timeoutMs = 20_000): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port, timeout: timeoutMs });
    s.once("data", () => { s.destroy(); res(true); });
    s.once("timeout", () => { s.destroy(); res(false); });
    s.once("error", () => res(false));
    s.once("close", () => res(false));
  });
}

const consoleSize = (host: string) => { try { return statSync(join(vmDir(host), "console.log")).size; } catch { return 0; } };
const consoleTail = (host: string, lines = 15) => {
  try { return readFileSync(join(vmDir(host), "console.log"), "utf8").split("\n").slice(-lines).join("\n"); } catch { return "(no console output)"; }
};

function writeKnownHosts(): void {
  const lines = names.filter((h) => existsSync(join(vmDir(h), "cfg/ssh/ssh_host_ed25519_key.pub")))
    .map((h) => `[127.0.0.1]:${sshPort(h)} ${hostKey(h)}`);
  writeFileSync(join(LAB, "known_hosts"), `${lines.join("\n")}\n`);
}

/** One `lab up` at a time: a second one waits for the first, then finds its guests running. */
async function locked<T>(what: () => Promise<T>): Promise<T> {
  mkdirSync(LAB, { recursive: true });
  const lock = join(LAB, "boot.lock");
  for (let said = false; ;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      const holder = Number(readFileSync(lock, "utf8") || 0);
      let alive = false;
      try { process.kill(holder, 0); alive = holder > 0; } catch { /* gone */ }
      if (!alive) { rmSync(lock, { force: true }); continue; }
      if (!said) say(`waiting for the lab up of process ${holder}`);
      said = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await what();
  } finally {
    rmSync(lock, { force: true });
  }
}

export interface UpOptions {
  /** Pause every other running guest once the selected ones are up: the work at hand uses only these. */
  only?: boolean;
  /** Pause each selected guest as soon as it is up: booted ahead for work that comes later. */
  paused?: boolean;
}

/**
 * Boots the hosts not yet running, at most PARALLEL_BOOTS at a time, resumes
 * paused ones, and waits until each one's sshd answers with the pinned key
 * and systemd has finished starting. There is no deadline a slow boot could
 * miss: a guest fails only when qemu exits, or when it is stuck (no new
 * console output and no sshd for STALL_S seconds), with the last lines of its
 * console.
 */
export function up(selected: string[], opts: UpOptions = {}): Promise<void> {
  return locked(async () => {
    for (const tool of ["qemu-system-x86_64", "qemu-img", "mkfs.ext4", "ssh", "ssh-keygen"]) {
      if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing (apt-get install qemu-system-x86 qemu-utils e2fsprogs openssh-client)`);
    }
    const image = execFileSync("bash", [join(ROOT, "lab/image.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    if (!existsSync(KEY)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "dsas-lab", "-f", KEY]);
    for (const h of selected) prepareKeys(h);
    writeKnownHosts();

    if (!opts.paused) await resume(selected);
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
    const queue = selected.filter((h) => {
      if (!pidOf(h)) return true;
      say(`${h} already running (ssh port ${sshPort(h)})`);
      return false;
    });
    // What each waiting guest's console printed last, and when; a guest this run started also counts toward the bound.
    const progress = new Map<string, { since: number; size: number; changed: number }>();
    const booting = new Set<string>();
    const waiting = new Set(selected);
    let report = Date.now();
    while (waiting.size) {
      while (queue.length && booting.size < PARALLEL_BOOTS) {
        const h = queue.shift()!;
        prepare(h, image);
        start(h, image);
        booting.add(h);
        progress.set(h, { since: Date.now(), size: 0, changed: Date.now() });
        say(`${h} booting (ssh 127.0.0.1:${sshPort(h)}), ${elapsed()} in`);
      }
      for (const h of [...waiting]) {
        if (queue.includes(h)) continue;
        if (!pidOf(h)) throw new Error(`${h}: qemu exited; its console's last lines:\n${consoleTail(h)}`);
        if (opts.paused && await isPaused(h)) {
          waiting.delete(h);
          say(`${h} up and paused, ${elapsed()} in`);
          continue;
        }
        if (await portOpen(sshPort(h)) && ssh(h, "systemctl is-system-running --wait >/dev/null; true").status === 0) {
          waiting.delete(h);
          say(`${h} up${booting.delete(h) ? ` after ${((Date.now() - progress.get(h)!.since) / 1000).toFixed(0)} s of its own,` : ","} ${elapsed()} in`);
          if (opts.paused) await pause([h]);
          continue;
        }
        // A guest another run started is judged from when this one began to wait for it.
        let p = progress.get(h);
        if (!p) progress.set(h, p = { since: started, size: consoleSize(h), changed: Date.now() });
        const size = consoleSize(h);
        if (size !== p.size) { p.size = size; p.changed = Date.now(); }
        if (Date.now() - p.changed > STALL_S * 1000) {
          throw new Error(`${h} is stuck: no console output and no sshd for ${STALL_S} s; its console's last lines:\n${consoleTail(h)}`);
        }
      }
      if (waiting.size && Date.now() - report > 15_000) {
        report = Date.now();
        const up = selected.filter((h) => !waiting.has(h));
        const others = [...waiting].filter((h) => !booting.has(h) && !queue.includes(h));
        say(`${elapsed()}: up ${up.length}/${selected.length}${up.length ? ` (${up.join(" ")})` : ""}; booting ${[...booting].join(" ") || "-"}`
          + `${others.length ? `; waiting for ${others.join(" ")}` : ""}${queue.length ? `; queued ${queue.join(" ")}` : ""}`);
      }
      if (waiting.size) await new Promise((r) => setTimeout(r, 2000));
    }
    if (opts.only) await pause(names.filter((h) => !selected.includes(h)));
  });
}

/** The lab's login key and each host's own host key, made once and kept across resets. */
function prepareKeys(host: string): void {
  const hk = join(vmDir(host), "cfg/ssh/ssh_host_ed25519_key");
  mkdirSync(join(vmDir(host), "cfg/ssh"), { recursive: true });
  if (!existsSync(hk)) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${host}.lab`, "-f", hk]);
}

export function down(selected: string[]): void {
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

/** Stops the VMs and discards their disks; host keys stay. */
export function reset(selected: string[]): void {
  down(selected);
  for (const host of selected) {
    for (const f of ["root.qcow2", "data.qcow2"]) rmSync(join(vmDir(host), f), { force: true });
  }
}

type HostStatus = { sshPort: number; addresses: Record<string, string>; up: boolean; paused?: true };

export async function status(): Promise<Record<string, HostStatus>> {
  const out: Record<string, HostStatus> = {};
  for (const host of names) {
    const paused = await isPaused(host);
    out[host] = {
      sshPort: sshPort(host),
      addresses: Object.fromEntries(Object.entries(HOSTS[host].interfaces).map(([i, n]) => [i, n.address])),
      // A busy TCG guest can take seconds to send its banner; a running VM is not down for that.
      up: paused || (pidOf(host) !== undefined && await portOpen(sshPort(host), 15_000)),
      ...(paused ? { paused: true as const } : {}),
    };
  }
  return out;
}

/** Resident memory of each running guest's qemu, MiB. */
export function residentMiB(): Record<string, number> {
  return Object.fromEntries(names.flatMap((h) => {
    const pid = pidOf(h);
    if (!pid) return [];
    const kib = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    return [[h, Math.round(kib / 1024)]];
  }));
}
