import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_KEY_CONFIG, labHost, labPrivateKey } from "../../lab/stack.ts";
import { dsasProject } from "../helpers/project.ts";
import { BLANK_DISK, lab, pidOf, run, ssh, until } from "../helpers/lab.ts";

// The NFS storage pair, deployed by the real engine to nfs1/nfs2 with web2's
// qnetd as the third vote, under a client on web1 that writes numbered,
// fsync'd records through the service address the whole time: a change, a
// crash, a partition and a planned switchover and back each lose none of the
// records the client saw acknowledged.
const NODES = ["nfs1", "nfs2"] as const;
const ARBITER = "web2";
const CLIENT = "web1";
const ADDRESS = "192.168.31.45";
const EXPORT = "/srv/nfs/export";
const nodeAddress: Record<string, string> = { nfs1: "192.168.31.41", nfs2: "192.168.31.42" };
const otherNode = (h: string) => NODES.find((n) => n !== h)!;
// Any 128 bytes do for the lab; a real stack's comes from openssl rand.
const CLUSTER_KEY = "dsas-lab-corosync-key-".padEnd(160, "0123456789abcdef");

function topology(options = ["rw", "sync", "no_subtree_check", "no_root_squash"], preferredNode?: string) {
  return {
    hosts: Object.fromEntries([...NODES, ARBITER].map((h) => [h, labHost(h)])),
    storagePairs: {
      nfs: {
        resource: "r0",
        nodes: { nfs1: { disk: "/dev/vdc" }, nfs2: { disk: "/dev/vdc" } },
        sharedSecret: { secret: "drbdSecret" },
        initialSyncSource: "nfs1",
        filesystem: { type: "ext4", create: true, mountPoint: "/srv/nfs" },
        address: ADDRESS,
        arbiter: ARBITER,
        clusterKey: { secret: "clusterKey" },
        ...(preferredNode ? { preferredNode } : {}),
        nfs: { exports: [{ path: EXPORT, clients: ["192.168.31.0/24"], options }], leaseSeconds: 10, graceSeconds: 10 },
      },
    },
  };
}

// The client's writer: record i is counted (with the client's clock) only once
// dd's fsync returned. Bounded in records and time; stops when writer.run goes.
const WRITER = `i=0; : >/root/acked
while [ -e /root/writer.run ] && [ $i -lt 20000 ]; do
  i=$((i + 1))
  printf 'record %06d\\n' $i | dd of=/mnt/nfs/records oflag=append conv=notrunc,fsync status=none 2>>/root/writer.err \\
    && echo "$i $(date +%s.%N)" >>/root/acked
  sleep 0.2
done`;

type Ack = { n: number; t: number };
const acked = (): Ack[] => run(CLIENT, "cat /root/acked").trim().split("\n").filter(Boolean)
  .map((l) => { const [n, t] = l.split(" "); return { n: Number(n), t: Number(t) }; });

/** Waits until the client has n more acknowledged records than it had at `from`. */
const writesGoOn = (from: number, n = 5, seconds = 300) => until(`${n} more acknowledged records`, () => acked().length >= from + n, seconds);

/** The longest wait between two acknowledged records after index `from`: the outage the client saw. */
function outage(from: number): number {
  const a = acked().slice(Math.max(0, from - 1));
  return Math.max(0, ...a.slice(1).map((x, i) => x.t - a[i].t));
}

/** Every acknowledged record is in the file the client reads through the service address. */
function lost(): number[] {
  // Acknowledged first, then the file: the writer goes on, so the file read after holds every record acknowledged before.
  const counted = acked().map((a) => a.n);
  const have = new Set(run(CLIENT, "cat /mnt/nfs/records").split("\n").map((l) => Number(l.split(" ")[1])));
  return counted.filter((n) => !have.has(n));
}

const state = (h: string) => {
  const r = ssh(h, "drbdadm role r0; drbdadm dstate r0; findmnt -n -o OPTIONS /srv/nfs || true; ip -4 -o addr show");
  return r.status === 0 ? r.stdout : "";
};
const primary = () => NODES.filter((h) => { const s = state(h); return s.startsWith("Primary/") && s.includes(` ${ADDRESS}/`); });
const both = (command: string) => NODES.map((h) => run(h, command).trim());
// About 45 minutes under TCG, and destroying the pair resets the node stopped
// last (see the README's status), so `npm test` runs this file only with
// DSAS_LAB_SLOW=1.
const slow = process.env.DSAS_LAB_SLOW === "1";
const upToDate = () => until("UpToDate on both nodes", () => NODES.every((h) => ssh(h, "drbdadm dstate r0").stdout.trim() === "UpToDate/UpToDate"), 600);

describe.runIf(slow)("an NFS storage pair in the lab, under a writing client", () => {
  const p = dsasProject("dsas-nfs");
  const up = () => p.pulumi(["up", "--yes", "--stack", "lab"]);

  beforeAll(() => {
    lab("up", "--only", ...NODES, ARBITER, CLIENT);
    for (const h of NODES) run(h, BLANK_DISK);
    p.init("lab", { "dsas:topology": topology() },
      { "dsas:drbdSecret": "lab-drbd-secret", "dsas:clusterKey": CLUSTER_KEY, [`dsas:${LAB_KEY_CONFIG}`]: labPrivateKey() });
  }, 1_800_000);
  afterAll(() => {
    ssh(CLIENT, "rm -f /root/writer.run; sleep 1; umount -f -l /mnt/nfs");
    for (const stack of p.stacks()) p.pulumi(["destroy", "--yes", "--stack", stack]);
    p.remove();
    // Destroying stops the cluster and leaves DRBD's data; the next file wants blank disks.
    for (const h of NODES) ssh(h, `systemctl stop pacemaker corosync-qdevice corosync; nft delete table inet dsas-partition; ${BLANK_DISK}`);
  });

  // Where Pacemaker first starts the service (both nodes are UpToDate, so either).
  let first = "";

  it("comes up from blank disks with the service on one node, the client mounted through the service address", async () => {
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("r0: initial sync source, Primary");
    expect(r.out).toContain("cluster up, quorate");
    await until("the service on one node", () => primary().length === 1, 300);
    first = primary()[0];
    expect(run(first, "findmnt -n -o SOURCE /srv/nfs")).toBe("/dev/drbd0\n");
    expect(run(otherNode(first), "drbdadm role r0")).toBe("Secondary/Primary\n");
    // The server's state lives on the replicated filesystem, so clients' locks and leases move with it.
    expect(run(first, "ls /srv/nfs/.dsas-nfs-state")).not.toBe("");
    run(CLIENT, `mkdir -p /mnt/nfs && mount -t nfs -o vers=4.2,hard,timeo=50 ${ADDRESS}:${EXPORT} /mnt/nfs && : >/mnt/nfs/records`);
    run(CLIENT, `cat >/root/writer.sh <<'EOF'\n${WRITER}\nEOF\ntouch /root/writer.run; setsid nohup timeout 3000 sh /root/writer.sh >/dev/null 2>&1 </dev/null &`);
    await writesGoOn(0);
    await upToDate();
  }, 900_000);

  it("applies a changed export option with the service where it runs, and then has nothing to do", async () => {
    const started = run(first, "systemctl show -p ActiveEnterTimestampMonotonic --value nfs-server");
    p.setTopology("lab", topology(["rw", "sync", "no_subtree_check", "no_root_squash", "no_wdelay"]));
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(primary()).toEqual([first]);
    expect(run(first, "exportfs -v")).toMatch(/no_wdelay/);
    expect(run(first, "systemctl show -p ActiveEnterTimestampMonotonic --value nfs-server")).toBe(started);
    const again = up();
    expect(again.out).toMatch(/Resources:\s+\d+ unchanged/);
    expect(again.out).not.toMatch(/\d+ (updated|created)/);
    await writesGoOn(acked().length);
    expect(lost()).toEqual([]);
  }, 900_000);

  it("moves the service to the other node by itself when the Primary's VM dies, losing no acknowledged record; the dead node rejoins as Secondary", async () => {
    const from = acked().length;
    const survivor = otherNode(first);
    process.kill(pidOf(first)!, "SIGKILL");
    const took = await until(`the service on ${survivor}`, () => primary().join() === survivor, 600);
    await writesGoOn(from);
    console.log(`NFS crash failover: client-observed outage ${outage(from).toFixed(1)} s (service on ${survivor} ${took.toFixed(0)} s after the kill, SSH polling included)`);
    const lostBefore = lost();
    // Back first, whatever was lost: the later tests need both nodes.
    lab("up", first);
    expect(lostBefore).toEqual([]);
    await upToDate();
    expect(run(first, "drbdadm role r0")).toBe("Secondary/Primary\n");
    expect(run(survivor, "drbdadm role r0")).toBe("Primary/Secondary\n");
    expect(both("drbdadm cstate r0")).toEqual(["Connected", "Connected"]);
    expect(lost()).toEqual([]);
  }, 1_200_000);

  it("never has two Primaries when the Primary loses its peer link, and loses no acknowledged record", async () => {
    const from = acked().length;
    const [holder] = primary();
    const peer = nodeAddress[otherNode(holder)];
    // The Primary still reaches the arbiter; only the link to its peer goes (until a reboot, which clears it).
    run(holder, `nft add table inet dsas-partition && nft add chain inet dsas-partition in '{ type filter hook input priority -10; }' `
      + `&& nft add chain inet dsas-partition out '{ type filter hook output priority -10; }' `
      + `&& nft add rule inet dsas-partition in ip saddr ${peer} drop && nft add rule inet dsas-partition out ip daddr ${peer} drop`);
    const seen: string[] = [];
    const start = Date.now();
    // Polling both nodes from here, one timeline: never both Primary with the filesystem mounted read-write.
    while (Date.now() - start < 240_000) {
      const s = NODES.map((h) => state(h));
      const rw = s.map((x) => x.startsWith("Primary/") && /(^|\n)rw,/.test(x));
      seen.push(NODES.filter((_, i) => rw[i]).join("+") || "none");
      expect(rw.every(Boolean), `both Primary and mounted rw: ${s.join(" | ")}`).toBe(false);
      if (Date.now() - start > 30_000 && primary().length === 1 && acked().length >= from + 5) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    ssh(holder, "nft delete table inet dsas-partition");
    const transitions = seen.filter((x, i) => i === 0 || x !== seen[i - 1]);
    console.log(`NFS partition: who held the filesystem rw, in order: ${transitions.join(" -> ")}; client-observed outage ${outage(from).toFixed(1)} s`);
    await writesGoOn(acked().length);
    await upToDate();
    expect(both("drbdadm cstate r0")).toEqual(["Connected", "Connected"]);
    expect(lost()).toEqual([]);
  }, 1_200_000);

  it("moves the service to the preferred node the stack names, and back, losing no acknowledged record", async () => {
    for (const to of ["nfs2", "nfs1"].filter((h) => h !== primary()[0]).concat(primary()[0])) {
      const from = acked().length;
      p.setTopology("lab", topology(["rw", "sync", "no_subtree_check", "no_root_squash", "no_wdelay"], to));
      const r = up();
      expect(r.code, r.out).toBe(0);
      await until(`the service on ${to}`, () => primary().join() === to, 300);
      await writesGoOn(from);
      console.log(`NFS planned switchover to ${to}: client-observed outage ${outage(from).toFixed(1)} s`);
      expect(lost()).toEqual([]);
    }
  }, 1_200_000);

  it("is destroyed with the cluster stopped on both nodes and the records on both disks", async () => {
    run(CLIENT, "rm -f /root/writer.run; sleep 2");
    expect(lost()).toEqual([]);
    run(CLIENT, "umount /mnt/nfs");
    const records = run(primary()[0], "sha256sum </srv/nfs/export/records");
    const r = p.pulumi(["destroy", "--yes", "--stack", "lab"]);
    expect(r.code, r.out).toBe(0);
    for (const h of NODES) {
      expect(ssh(h, "systemctl is-active pacemaker").stdout.trim(), h).not.toBe("active");
      // DRBD's metadata sits at the disk's end: its start is the filesystem, read here without DRBD or a mount.
      expect(run(h, "echo 3 >/proc/sys/vm/drop_caches && debugfs -R 'cat /export/records' /dev/vdc 2>/dev/null | sha256sum"), h).toBe(records);
    }
  }, 900_000);
});
