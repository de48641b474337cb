import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../components/model/normalize.ts";
import type { Topology } from "../../components/model/schema.ts";
import { parseTopology } from "../../components/model/validate.ts";
import { planDirectorPair, planDrbdPair } from "../../components/plan/plan.ts";
import { DRBD_TOOL } from "../../components/services/drbd.ts";
import { KEEPALIVED_CONF } from "../../components/services/keepalived.ts";
import type { Hooks } from "../../components/services/service.ts";
import { HOSTS } from "../../lab/inventory.ts";
import { pidOf, ssh } from "../../lab/vm.ts";
import { filesBy, ROOT } from "../helpers/example.ts";
import { applyService, BLANK_DISK, lab, run, until } from "../helpers/lab.ts";

// Two lab directors in real-kernel VMs: the lab itself, then the rendered
// keepalived configuration doing VRRP and IPVS for real between them.
const interfaces = (host: string) => Object.fromEntries(Object.entries(HOSTS[host].interfaces).map(([i, n]) => [i, n.address]));
const holders = (vip: string) => ["lb1", "lb2"].filter((h) => run(h, "ip -4 -o addr show").includes(` ${vip}/`));

const directors = (t: Topology) => { const m = normalize(t); return planDirectorPair(m.directorPairs.lb, m.hosts); };
/** Ships a service's files to a lab host the way dsas-kit does: one run of the provider's bootstrap and dsas-apply, the bundle on stdin. */
const apply = (host: string, t: Topology, service: string) => applyService(host, directors(t), service, () => "labPass1");
const renderDirectorPair = (t: Topology) => filesBy(directors(t), () => "labPass1");
const keepalivedPid = (host: string) => run(host, "systemctl show -p MainPID --value keepalived").trim();


const topology = parseTopology({
  hosts: { lb1: { interfaces: interfaces("lb1") }, lb2: { interfaces: interfaces("lb2") }, web1: { interfaces: interfaces("web1") }, web2: { interfaces: interfaces("web2") } },
  directorPairs: {
    lb: {
      master: "lb1", backup: "lb2",
      instances: {
        VI_EXT: { interface: "eth0", virtualRouterId: 31, virtualIps: ["10.10.31.10", "10.10.31.100"], authentication: { secret: "vrrpAuth" } },
        VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: ["192.168.31.10"], authentication: { secret: "vrrpAuth" } },
      },
      syncGroups: { VG_LB: { instances: ["VI_EXT", "VI_INT"] } },
      virtualServers: { web: { vip: "10.10.31.100", port: 80, pool: "web", lbAlgo: "wrr", lbKind: "NAT" } },
    },
  },
  pools: { web: { port: 80, realServers: { web1: { weight: 2 }, web2: {} }, checks: [{ type: "TCP_CHECK" }] } },
});
const vips = ["10.10.31.10", "10.10.31.100", "192.168.31.10"];

describe("the lab", () => {
  beforeAll(() => { lab("up", "--only", "lb1", "lb2"); }, 1_800_000);
  // What this file put on the directors by hand goes, so the lab's other files find them as booted.
  afterAll(() => {
    for (const h of ["lb1", "lb2"]) {
      ssh(h, "systemctl disable -q --now keepalived; ipvsadm -C; rm -rf /etc/keepalived/dsas /etc/keepalived/keepalived.conf /etc/ipvsadm.rules /etc/ipvsadm.drain "
        + "/etc/sysctl.d/60-dsas-director.conf /etc/modules-load.d/dsas-ipvs.conf /etc/keepalived/.keepalived.conf.dsas-*");
    }
  });

  it("pauses a guest the work at hand does not use: it costs no CPU, and once resumed it answers with its clock right", async () => {
    lab("up", "--paused", "nfs1");
    expect(JSON.parse(lab("status")).nfs1).toMatchObject({ up: true, paused: true });
    // utime + stime of nfs1's qemu, in clock ticks (100 a second); an idle running guest takes about 10 in 5 s.
    const cpu = () => readFileSync(`/proc/${pidOf("nfs1")}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13).reduce((a, b) => a + Number(b), 0);
    const before = cpu();
    await new Promise((r) => setTimeout(r, 5000));
    expect(cpu() - before, "clock ticks a paused guest used in 5 s").toBeLessThan(3);
    lab("up", "nfs1");
    expect(JSON.parse(lab("status")).nfs1.paused).toBeUndefined();
    const asked = Date.now() / 1000;
    const clock = Number(run("nfs1", "date +%s.%N"));
    expect(clock, "nfs1's clock, against this machine's while it was asked").toBeGreaterThan(asked - 2);
    expect(clock).toBeLessThan(Date.now() / 1000 + 2);
  }, 900_000);

  it("reports both directors up with their SSH ports and cluster addresses, and a stopped VM as down", () => {
    // slb2 is stopped for the check and booted again in the background, paused, for the files that use it.
    lab("down", "slb2");
    const status = JSON.parse(lab("status"));
    spawn(process.execPath, [join(ROOT, "lab/lab.ts"), "up", "--paused", "slb2"], { detached: true, stdio: "ignore" }).unref();
    expect(status.lb1).toEqual({ sshPort: 22200, addresses: { eth0: "10.10.31.11/24", eth1: "192.168.31.11/24" }, up: true });
    expect(status.lb2.up).toBe(true);
    expect(status.slb2.up).toBe(false);
  });

  it("runs Debian's own kernel, whose IPVS and DRBD 8.4 modules load", () => {
    const out = run("lb1", "modprobe ip_vs && modprobe drbd && head -1 /proc/net/ip_vs && head -1 /proc/drbd && hostname");
    expect(out).toMatch(/^IP Virtual Server version 1\.2\.1/m);
    expect(out).toMatch(/^version: 8\.4\./m);
    expect(out.trim().split("\n").at(-1)).toBe("lb1");
  });

  it("joins the directors on private segments this machine has no address on", () => {
    run("lb1", "ping -c1 -W5 10.10.31.12 && ping -c1 -W5 192.168.31.12");
    const own = execFileSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" });
    expect(own).not.toMatch(/ (10\.10\.31|192\.168\.31)\./);
  });

  it("installs the rendered director files with dsas-apply, backup first, and does nothing the second time", async () => {
    for (const host of ["lb2", "lb1"]) {
      const director = apply(host, topology, "director");
      expect(director.stdout, director.stderr).toBe("director: applied 2 changed file(s)\n");
      const first = apply(host, topology, "keepalived");
      expect(first.stdout, first.stderr).toBe("keepalived: applied 7 changed file(s)\n");
      expect(apply(host, topology, "keepalived").stdout).toBe("keepalived: unchanged\n");
    }
    expect(run("lb1", "sysctl -n net.ipv4.ip_forward net.ipv4.vs.expire_nodest_conn")).toBe("1\n1\n");
    expect(run("lb1", "stat -c '%a %U' /etc/keepalived/dsas/auth-VI_EXT.conf")).toBe("600 root\n");
    await until("lb1 holds every VIP", () => vips.every((v) => holders(v).join() === "lb1"), 60);
    expect(run("lb1", "ipvsadm -Ln")).toMatch(/TCP {2}10\.10\.31\.100:80 wrr/);
  }, 300_000);

  it("applies a changed config by reload: same keepalived process, VIPs stay on the master", () => {
    const changed = structuredClone(topology);
    changed.pools.web.realServers.web2.weight = 3;
    for (const host of ["lb2", "lb1"]) {
      const pid = keepalivedPid(host);
      const r = apply(host, changed, "keepalived");
      // keepalived.conf and the table it implies (ipvs.rules), which a refresh compares the kernel's with.
      expect(r.stdout, r.stderr).toBe("keepalived: applied 2 changed file(s)\n");
      expect(keepalivedPid(host)).toBe(pid);
      expect(run(host, `grep -c 'weight 3' ${KEEPALIVED_CONF}`)).toBe("1\n");
    }
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
  });

  it("refuses a config keepalived rejects with keepalived's message, leaving the old file and process", () => {
    const broken = structuredClone(topology);
    broken.directorPairs.lb.extraGlobalConfig = ["vrrp_no_such_option 1"];
    const before = run("lb2", `sha256sum ${KEEPALIVED_CONF}`);
    const pid = keepalivedPid("lb2");
    const r = apply("lb2", broken, "keepalived");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("keepalived: the new configuration was refused, nothing changed:");
    expect(r.stderr).toContain("vrrp_no_such_option");
    expect(run("lb2", `sha256sum ${KEEPALIVED_CONF}`)).toBe(before);
    expect(keepalivedPid("lb2")).toBe(pid);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
  });

  it("fails the rendered VRRP sync group over to the backup when the master hangs, and back, each VIP on one director", async () => {

    // A hung director: its VM stops dead, VIPs and all, as a crashed machine would.
    const lb1 = pidOf("lb1")!;
    process.kill(lb1, "SIGSTOP");
    try {
      const held = () => run("lb2", "ip -4 -o addr show");
      const failover = await until("lb2 holds every VIP", () => vips.every((v) => held().includes(` ${v}/`)), 60);
      console.log(`lab failover seen from this machine after ${failover.toFixed(1)} s, SSH polling included (3 x advert_int + skew = 3.6 s)`);
    } finally {
      process.kill(lb1, "SIGCONT");
    }
    await until("lb1 holds every VIP again, lb2 none", () => vips.every((v) => holders(v).join() === "lb1"), 60);
  }, 300_000);

  it("loads static ipvsadm rules with dsas-apply and changes them in place", () => {
    const fixed = structuredClone(topology);
    fixed.directorPairs.lb.ipvs = "static";
    const ruleText = (t: typeof topology) => renderDirectorPair(t).lb2.find((f) => f.path === "/etc/ipvsadm.rules")!.content;
    run("lb2", "systemctl stop keepalived; ipvsadm -C"); // lb2 turns from a keepalived director into a static one
    const first = apply("lb2", fixed, "ipvsadm");
    // dsas-ipvs-sync says each change it makes to the kernel's table, then dsas-apply what it applied.
    const loaded = ruleText(fixed).trim().split("\n").map((l) => `ipvsadm ${l}\n`).join("");
    expect(first.stdout, first.stderr).toBe(`${loaded}ipvsadm: applied 3 changed file(s)\n`);
    expect(run("lb2", "ipvsadm-save -n")).toBe(ruleText(fixed));

    const changed = structuredClone(fixed);
    changed.pools.web.realServers.web2.weight = 5;
    delete changed.pools.web.realServers.web1;
    const second = apply("lb2", changed, "ipvsadm");
    expect(second.stdout, second.stderr).toBe("ipvsadm -e -t 10.10.31.100:80 -r 192.168.31.102:80 -m -w 5\n"
      + "ipvsadm -d -t 10.10.31.100:80 -r 192.168.31.101:80\n"
      + "ipvsadm: applied 2 changed file(s)\n");
    expect(run("lb2", "ipvsadm-save -n")).toBe(ruleText(changed));
    expect(ruleText(changed)).toContain("-r 192.168.31.102:80 -m -w 5");
  });
});

describe("a DRBD pair in the lab", () => {
  const pair = parseTopology({
    hosts: { nfs1: { interfaces: interfaces("nfs1") }, nfs2: { interfaces: interfaces("nfs2") } },
    drbdPairs: {
      nfs: {
        resource: "r0",
        nodes: { nfs1: { disk: "/dev/vdc" }, nfs2: { disk: "/dev/vdc" } },
        sharedSecret: { secret: "drbdSecret" },
        initialSyncSource: "nfs1",
        filesystem: { type: "ext4", create: true },
      },
    },
  });
  const drbdApply = (host: string, t: Topology, hooks?: Hooks) => applyService(host, planDrbdPair(normalize(t).drbdPairs.nfs), "drbd", () => "lab-drbd-secret", hooks);
  const drbd = (host: string, args: string) => ssh(host, `${DRBD_TOOL} ${args}`);
  const both = (command: string) => ["nfs1", "nfs2"].map((h) => run(h, command).trim());

  beforeAll(() => {
    lab("up", "nfs1", "nfs2");
    for (const h of ["nfs1", "nfs2"]) run(h, BLANK_DISK);
    for (const host of ["nfs1", "nfs2"]) {
      // Only the files, checked: the resource is brought up by hand below, step by step.
      const r = drbdApply(host, pair, { check: "drbdadm dump all >/dev/null" });
      expect(r.stdout, r.stderr).toBe("drbd: applied 2 changed file(s)\n");
    }
  }, 900_000);
  afterAll(() => { for (const h of ["nfs1", "nfs2"]) ssh(h, `${BLANK_DISK}; rm -f /etc/drbd.d/r0.res /etc/drbd.d/.r0.res.dsas-* ${DRBD_TOOL} /usr/local/libexec/dsas/.dsas-drbd.dsas-*`); });

  it("refuses to put metadata on a disk that holds a filesystem, and leaves the disk as it was", () => {
    run("nfs2", "mkfs.ext4 -q /dev/vdc");
    const before = run("nfs2", "sha256sum /dev/vdc");
    const r = drbd("nfs2", "prepare r0");
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("r0: refused: /dev/vdc holds data (TYPE=ext4");
    expect(run("nfs2", "sha256sum /dev/vdc")).toBe(before);
    // Erasing the signature is not enough: drbdmeta itself still finds data and declines.
    run("nfs2", "wipefs -q -a /dev/vdc");
    const declined = drbd("nfs2", "prepare r0");
    expect(declined.status).toBe(3);
    expect(declined.stderr).toContain("Operation canceled.");
    expect(declined.stderr).toContain("r0: refused: drbdmeta declined to create metadata on /dev/vdc (its reason is above)");
    // What the operator does once the data is known to be disposable.
    run("nfs2", "dd if=/dev/zero of=/dev/vdc bs=1M count=64 status=none");
  });

  it("creates metadata on empty disks, syncs from the named source, and makes the filesystem there once", async () => {
    for (const host of ["nfs1", "nfs2"]) {
      const r = drbd(host, "prepare r0");
      expect(r.stdout, r.stderr).toBe("r0: metadata created on /dev/vdc\nr0: up\n");
    }
    const p = drbd("nfs1", "promote r0 ext4");
    expect(p.stdout, p.stderr).toBe("r0: initial sync source, Primary\nr0: ext4 created on /dev/drbd0\n");
    await until("both UpToDate", () => both("drbdadm dstate r0").every((s) => s === "UpToDate/UpToDate"), 240);
    expect(both("drbdadm cstate r0")).toEqual(["Connected", "Connected"]);
    expect(both("drbdadm role r0")).toEqual(["Primary/Secondary", "Secondary/Primary"]);
  }, 300_000);

  it("refuses to move a running resource to another disk, leaving the disk and the resource as they were", () => {
    const moved = structuredClone(pair);
    moved.drbdPairs.nfs.nodes.nfs2.disk = "/dev/vdb";
    const before = run("nfs2", "sha256sum /dev/vdb; sha256sum /etc/drbd.d/r0.res");
    const r = drbdApply("nfs2", moved);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("drbd: applying failed; the previous files are back in place:");
    expect(r.stderr).toContain("r0: refused: it runs on /dev/vdc; it is not moved to /dev/vdb while up");
    expect(run("nfs2", "sha256sum /dev/vdb; sha256sum /etc/drbd.d/r0.res")).toBe(before);
    expect(run("nfs2", "drbdadm cstate r0; drbdadm sh-ll-dev r0")).toBe("Connected\n/dev/vdc\n");
  });

  it("never runs create-md or mkfs again", () => {
    expect(drbd("nfs2", "prepare r0").stdout).toBe("r0: already up, adjusted\n");
    run("nfs2", "drbdadm down r0");
    const afterDown = drbd("nfs2", "prepare r0");
    expect(afterDown.stdout, afterDown.stderr).toMatch(/^r0: metadata (present|probe unsure, so treated as present: .*)\nr0: up\n$/);
    const again = drbd("nfs1", "promote r0 ext4");
    expect(again.stdout, again.stderr).toMatch(/^r0: already initialised \(UpToDate\/(UpToDate|Inconsistent|DUnknown)\)\nr0: \/dev\/drbd0 already holds a filesystem, left as it is\n$/);
  }, 300_000);
});
