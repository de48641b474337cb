import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_KEY_CONFIG, labHost, labPrivateKey } from "../../lab/stack.ts";
import { ROOT } from "../helpers/example.ts";
import { dsasProject } from "../helpers/project.ts";
import { BLANK_DISK, lab, logins, run, ssh, until } from "../helpers/lab.ts";

// A DRBD pair and a memory-only squid tier behind an nginx front, deployed by
// the real engine over SSH to lab VMs; the client VM is the origin server.
const HOSTS = ["nfs1", "nfs2", "cache1", "cache2", "front"];
const ORIGIN = "client";


function topology(resyncRate?: string) {
  return {
    hosts: Object.fromEntries(HOSTS.map((h) => [h, labHost(h)])),
    drbdPairs: {
      nfs: {
        resource: "r0",
        nodes: { nfs1: { disk: "/dev/vdc" }, nfs2: { disk: "/dev/vdc" } },
        sharedSecret: { secret: "drbdSecret" },
        initialSyncSource: "nfs1",
        filesystem: { type: "ext4", create: true },
        ...(resyncRate ? { resyncRate } : {}),
      },
    },
    cacheTiers: {
      images: { squids: ["cache1", "cache2"], fronts: ["front"], origin: { address: "10.0.1.200", port: 80 }, siblings: "icp" },
    },
  };
}

describe("pulumi up of a DRBD pair and a cache tier to lab hosts", () => {
  const p = dsasProject("dsas-storage-cache");
  const up = () => p.pulumi(["up", "--yes", "--stack", "lab"]);
  let diskBefore = "";

  beforeAll(() => {
    lab("up", "--only", ...HOSTS, ORIGIN);
    for (const h of ["nfs1", "nfs2"]) run(h, BLANK_DISK);
    // nfs2's disk holds a filesystem: data that the first deployment must not touch.
    run("nfs2", "mkfs.ext4 -q /dev/vdc");
    diskBefore = run("nfs2", "sha256sum /dev/vdc");
    // The origin: the client's nginx, serving numbered objects on the cache segment.
    run(ORIGIN, "mkdir -p /var/www/html/img && for i in $(seq 1 12); do head -c 20000 /dev/urandom >/var/www/html/img/$i.bin; done "
      // Old objects: squid's heuristic keeps them fresh for days, so a repeat is a hit, not a revalidation.
      + "&& touch -d 2020-01-01 /var/www/html/img/*.bin && systemctl start nginx");
    p.init("lab", { "dsas:topology": topology() }, { "dsas:drbdSecret": "lab-drbd-secret", [`dsas:${LAB_KEY_CONFIG}`]: labPrivateKey() });
  }, 1_800_000);
  // A destroy under TCG on a loaded machine can take more than the default two minutes.
  afterAll(() => {
    // Leave the hosts as booted for the lab's other files.
    for (const stack of p.stacks()) p.pulumi(["destroy", "--yes", "--stack", stack]);
    p.remove();
    // Destroying leaves a DRBD resource and its data as they are; the next file wants blank disks.
    for (const h of ["nfs1", "nfs2"]) ssh(h, BLANK_DISK);
  }, 600_000);

  it("refuses to put DRBD on a disk that holds a filesystem, and leaves that disk as it was", () => {
    const r = up();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("r0: refused: /dev/vdc holds data (TYPE=ext4");
    expect(r.out).not.toContain("nfs-nfs1-drbd-promote created");
    expect(run("nfs2", "sha256sum /dev/vdc")).toBe(diskBefore);
  }, 600_000);

  it("once the operator wiped that disk, syncs the pair from the named source and makes the filesystem there", async () => {
    run("nfs2", "wipefs -q -a /dev/vdc && dd if=/dev/zero of=/dev/vdc bs=1M count=64 status=none");
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("r0: metadata created on /dev/vdc");
    expect(r.out).toContain("r0: initial sync source, Primary");
    expect(r.out).toContain("r0: ext4 created on /dev/drbd0");
    await until("UpToDate on both", () => ["nfs1", "nfs2"].every((h) => run(h, "drbdadm dstate r0").trim() === "UpToDate/UpToDate"), 300);
    expect(run("nfs1", "drbdadm role r0; drbdadm cstate r0")).toBe("Primary/Secondary\nConnected\n");
    expect(run("nfs1", "blkid -o value -s TYPE /dev/drbd0")).toBe("ext4\n");
    expect(run("nfs1", "stat -c '%a' /etc/drbd.d/r0.res")).toBe("600\n");
  }, 600_000);

  it("runs nothing on any host when nothing changed", () => {
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Resources:\s+\d+ unchanged/);
    for (const h of HOSTS) expect(logins(h) - before[h], h).toBe(1);
  });

  it("applies a changed resource by adjust, never creating metadata or a filesystem again", () => {
    p.setTopology("lab", topology("40M"));
    const r = up();
    expect(r.code, r.out).toBe(0);
    // The engine's progress line of each node's prepare step carries what it did.
    for (const node of ["nfs1", "nfs2"]) expect(r.out).toMatch(new RegExp(`nfs-${node}-drbd updated .*r0: already up, adjusted`));
    expect(r.out).not.toContain("metadata created");
    expect(r.out).not.toContain("created on /dev/drbd0");
    expect(run("nfs1", "drbdsetup show r0")).toMatch(/resync-rate/);
    expect(run("nfs1", "drbdadm dstate r0")).toBe("UpToDate/UpToDate\n");
  }, 300_000);

  const tcpLog = (squid: string) => run(squid, "cat /var/log/squid/access.log").split("\n").filter((l) => / TCP_/.test(l));

  it("serves a repeated request from one squid's memory, and each URI always from the same squid", async () => {
    // Only this test's requests count: a rerun on running guests finds earlier ones in the logs.
    const seen = { cache1: tcpLog("cache1").length, cache2: tcpLog("cache2").length };
    const codes = run(ORIGIN, "for r in 1 2 3; do for i in $(seq 1 10); do curl -s -o /dev/null -w '%{http_code}\\n' http://10.0.1.10/img/$i.bin; done; done");
    expect(codes.trim().split("\n")).toEqual(Array(30).fill("200"));
    // squid's log daemon writes behind the requests.
    await until("30 requests in the squids' logs", () => tcpLog("cache1").length - seen.cache1 + tcpLog("cache2").length - seen.cache2 >= 30, 60);
    const logs = { cache1: tcpLog("cache1").slice(seen.cache1), cache2: tcpLog("cache2").slice(seen.cache2) };
    for (let i = 1; i <= 10; i++) {
      const on = Object.entries(logs).filter(([, l]) => l.some((x) => x.includes(`/img/${i}.bin `))).map(([s]) => s);
      expect(on, `/img/${i}.bin`).toHaveLength(1);
      expect(logs[on[0] as keyof typeof logs].filter((x) => x.includes(`/img/${i}.bin `) && x.includes("TCP_MEM_HIT/200")), `/img/${i}.bin`).toHaveLength(2);
    }
    expect(logs.cache1.length && logs.cache2.length, "both squids serve some URIs").toBeGreaterThan(0);
  });

  it("answers a miss from the sibling's memory over ICP", async () => {
    // Straight to cache2 (as the front), then the same object through cache1.
    const direct = (squid: string) => run("front", `curl -s -o /dev/null -w '%{http_code}' -H 'Host: images' http://${squid}:3128/img/12.bin`);
    expect(direct("10.0.1.2")).toBe("200");
    expect(direct("10.0.1.1")).toBe("200");
    await until("cache1 logged it", () => tcpLog("cache1").some((l) => l.includes("/img/12.bin ")), 60);
    expect(tcpLog("cache1").find((l) => l.includes("/img/12.bin "))).toMatch(/SIBLING_HIT\/10\.0\.1\.2/);
  });

  it("shows the DRBD pair and each squid's counters with dsas status, one connection per host asked", () => {
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const r = spawnSync(process.execPath, [join(ROOT, "bin/dsas.ts"), "status", join(p.project, "Pulumi.lab.yaml"), "--json"], { env: p.env, encoding: "utf8" });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.problems).toEqual([]);
    expect(s.drbd.nfs.nodes).toEqual({
      nfs1: { minor: 0, connection: "Connected", role: "Primary", peerRole: "Secondary", disk: "UpToDate", peerDisk: "UpToDate" },
      nfs2: { minor: 0, connection: "Connected", role: "Secondary", peerRole: "Primary", disk: "UpToDate", peerDisk: "UpToDate" },
    });
    // This file's requests reached both squids (and cache1 twice as the sibling's client).
    for (const squid of ["cache1", "cache2"]) expect(s.cacheTiers.images[squid].received, squid).toBeGreaterThan(0);
    const opened = Object.fromEntries(HOSTS.map((h) => [h, logins(h) - before[h] - 1]));
    expect(opened).toEqual({ nfs1: 1, nfs2: 1, cache1: 1, cache2: 1, front: 0 });
  });
});
