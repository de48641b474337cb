import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drbdStates, ipvsTable, partsFor, sections, squidHits, status, table, vrrpInstances, type HostAnswer } from "../../bin/status.ts";
import { exampleModel, ROOT } from "../helpers/example.ts";

// What dsas-status printed on lab guests (lb1 master and lb2 backup of the
// deploy test's pair, nfs1 and nfs2 of a DRBD pair), read here as the example
// stack's lv1, lv2, nfs1 and nfs2, whose addresses the lab's are.
const fixture = (name: string) => readFileSync(join(ROOT, "test/cli/fixtures/status", `${name}.txt`), "utf8");
const answer = (host: string, text: string): HostAnswer => ({ host, parts: sections(text) });

describe("dsas status: the daemons' own reports", () => {
  it("reads keepalived's JSON dump: each instance's state and priorities, and never its password", () => {
    const lb1 = sections(fixture("lb1"));
    expect(vrrpInstances(lb1.keepalived)).toEqual([
      { name: "VI_EXT", state: "MASTER", effectivePriority: 150, basePriority: 150 },
      { name: "VI_INT", state: "MASTER", effectivePriority: 150, basePriority: 150 },
    ]);
    expect(vrrpInstances(sections(fixture("lb2")).keepalived).map((i) => [i.name, i.state, i.effectivePriority])).toEqual([["VI_EXT", "BACKUP", 100], ["VI_INT", "BACKUP", 100]]);
    expect(lb1.keepalived).toContain('"auth_data":"[secret]"');
  });

  it("reads the IPVS table with each real server's weight and connections, and the sync daemon", () => {
    const lb1 = sections(fixture("lb1"));
    expect(ipvsTable(lb1.ipvs)).toEqual([{
      service: "TCP 10.10.31.100:80", scheduler: "wrr",
      reals: [
        { address: "192.168.31.101:80", method: "Masq", weight: 2, active: 2, inactive: 26 },
        { address: "192.168.31.102:80", method: "Masq", weight: 1, active: 1, inactive: 21 },
      ],
    }]);
    expect(lb1["ipvs-daemon"]).toMatch(/^master sync daemon \(mcast=eth1, syncid=32/);
  });

  it("reads /proc/drbd: roles, disks, connection, and a resync's progress", () => {
    expect(drbdStates(sections(fixture("nfs1")).drbd)).toEqual([{ minor: 0, connection: "Connected", role: "Primary", peerRole: "Secondary", disk: "UpToDate", peerDisk: "UpToDate" }]);
    const syncing = " 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n    ns:1 nr:0\n\t[===>................] sync'ed: 23.4% (160/204)M\n";
    expect(drbdStates(syncing)[0]).toMatchObject({ connection: "SyncSource", peerDisk: "Inconsistent", synced: 23.4 });
  });

  it("reads squid's request count and 5-minute hit ratios from its cache manager", () => {
    const info = sections(fixture("cache1")).squid;
    expect(squidHits(info)).toEqual({ received: 5, requestHits: 0, byteHits: 0 });
    const later = info.replace(/(Hits as % of all requests:\s+5min: )[-\d.]+%/, "$140.0%").replace(/(Hits as % of bytes sent:\s+5min: )[-\d.]+%/, "$138.2%");
    expect(squidHits(later)).toMatchObject({ requestHits: 40, byteHits: 38.2 });
    expect(squidHits("squid does not answer on port 3128\n")).toBeUndefined();
  });
});

describe("dsas status: what is degraded, named", () => {
  const model = exampleModel();
  const others = (except: string[]): HostAnswer[] => Object.keys(model.hosts).filter((h) => !except.includes(h)).map((host) => ({ host, error: "ssh: connection refused" }));
  const lbProblems = (answers: HostAnswer[]) => status(model, answers).problems.filter((p) => p.startsWith("lb:") || p.startsWith("nfs:"));

  it("a healthy director pair and DRBD pair: VIPs on the master, every real server in, no problem of theirs", () => {
    const s = status(model, [answer("lv1", fixture("lb1")), answer("lv2", fixture("lb2")), answer("nfs1", fixture("nfs1")), answer("nfs2", fixture("nfs2")), ...others(["lv1", "lv2", "nfs1", "nfs2"])]);
    expect(s.directorPairs.lb.vips).toEqual({ "10.10.31.10": ["lv1"], "10.10.31.100": ["lv1"], "192.168.31.10": ["lv1"] });
    expect(s.problems.filter((p) => /^(lb|nfs):/.test(p))).toEqual([]);
    expect(s.problems).toContain("cache1: unreachable (ssh: connection refused)");
    expect(table(s)).toMatch(/VIP 10\.10\.31\.100 +on lv1\n/);
    expect(table(s)).toContain("nfs1     Primary/Secondary UpToDate/UpToDate Connected");
  });

  it("VIPs on the backup, a real server out of the table, a FAULT instance, no sync daemon", () => {
    // lv2 after taking over: lv1's addresses and table as its own, lv1 in FAULT holding nothing.
    const lv2 = fixture("lb1").replaceAll("10.10.31.11/24", "10.10.31.12/24").replaceAll("192.168.31.11/24", "192.168.31.12/24")
      .replace(/ {2}-> 192\.168\.31\.102:80.*\n/, "");
    const lv1 = fixture("lb2").replaceAll('"state":1', '"state":3').replace(/== ipvs-daemon\n.*\n/, "== ipvs-daemon\n");
    expect(lbProblems([answer("lv1", lv1), answer("lv2", lv2), answer("nfs1", fixture("nfs1")), answer("nfs2", fixture("nfs2"))])).toEqual([
      "lb: VI_EXT is FAULT on lv1",
      "lb: VI_INT is FAULT on lv1",
      "lb: no connection sync daemon on lv1",
      "lb: VIPs on the backup lv2 (10.10.31.10, 10.10.31.100, 192.168.31.10)",
      "lb: web has web2 (192.168.31.102:80) out of the table on lv2",
    ]);
  });

  it("a sync daemon in the wrong role for its instance's state", () => {
    const swap = (t: string, from: string, to: string) => t.replace(`\n${from} sync daemon `, `\n${to} sync daemon `);
    expect(lbProblems([answer("lv1", swap(fixture("lb1"), "master", "backup")), answer("lv2", swap(fixture("lb2"), "backup", "master")), answer("nfs1", fixture("nfs1")), answer("nfs2", fixture("nfs2"))])).toEqual([
      "lb: lv1 is MASTER of VI_INT but runs no master sync daemon: the connections it forwards are not sent to lv2",
      "lb: lv2 is BACKUP of VI_INT but runs no backup sync daemon: it does not receive lv1's connections",
    ]);
  });

  it("a director in maintenance: its FAULT and the VIPs on the other are as the stack says; VIPs left on it are named", () => {
    const lv2 = fixture("lb1").replaceAll("10.10.31.11/24", "10.10.31.12/24").replaceAll("192.168.31.11/24", "192.168.31.12/24");
    const lv1 = fixture("lb2").replaceAll('"state":1', '"state":3');
    const away = { ...model, directorPairs: { ...model.directorPairs, lb: { ...model.directorPairs.lb, maintenance: "lv1" } } };
    const handedOver = status(away, [answer("lv1", lv1), answer("lv2", lv2)]);
    expect(handedOver.problems.filter((p) => p.startsWith("lb:"))).toEqual([]);
    expect(table(handedOver)).toContain("director pair lb (master lv1, backup lv2; lv1 in maintenance)");
    const stayed = status(away, [answer("lv1", fixture("lb1")), answer("lv2", fixture("lb2"))]);
    expect(stayed.problems.filter((p) => p.startsWith("lb:"))).toEqual(["lb: VIPs on lv1, which is in maintenance (10.10.31.10, 10.10.31.100, 192.168.31.10)"]);
  });

  it("VIPs on both directors, keepalived stopped, a split brain and two Primaries", () => {
    const lv2 = fixture("lb1").replaceAll("10.10.31.11/24", "10.10.31.12/24").replaceAll("192.168.31.11/24", "192.168.31.12/24")
      .replace(/== keepalived\n.*\n/, "== keepalived\nkeepalived is not running\n");
    const standalone = (t: string) => t.replace("cs:Connected ro:Secondary/Primary", "cs:StandAlone ro:Primary/Unknown");
    expect(lbProblems([answer("lv1", fixture("lb1")), answer("lv2", lv2), answer("nfs1", fixture("nfs1")), answer("nfs2", standalone(fixture("nfs2")))])).toEqual([
      "lb: keepalived on lv2 gave no state (keepalived is not running)",
      "lb: VIP 10.10.31.10 on both directors",
      "lb: VIP 10.10.31.100 on both directors",
      "lb: VIP 192.168.31.10 on both directors",
      "nfs: StandAlone on nfs2, split brain?",
      "nfs: Primary on both nfs1 and nfs2",
    ]);
  });

  it("an unreachable director: named, and its pair judged by the other", () => {
    const s = status(model, [answer("lv1", fixture("lb1")), { host: "lv2", error: "ssh root@10.10.31.12:22: dial tcp: i/o timeout (retried for 10s)" }]);
    expect(s.problems).toContain("lv2: unreachable (ssh root@10.10.31.12:22: dial tcp: i/o timeout (retried for 10s))");
    expect(s.problems.filter((p) => p.startsWith("lb:"))).toEqual([]);
  });
});

describe("dsas status: what each host is asked", () => {
  it("directors their VRRP and IPVS state, DRBD nodes /proc/drbd, squids their manager by visible_hostname and port", () => {
    const parts = partsFor(exampleModel());
    expect(parts.get("lv1")).toEqual(["addresses", "keepalived", "ipvs"]);
    expect(parts.get("nfs1")).toEqual(["addresses", "drbd"]);
    expect(parts.get("cache1")).toEqual(["addresses", "squid", "3128", "cache1"]);
    expect(parts.has("web1")).toBe(false);
  });
});
