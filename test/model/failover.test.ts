import { describe, expect, it } from "vitest";
import { failures } from "../../components/model/failover.ts";
import { parseTopology } from "../../components/model/validate.ts";
import { exampleRaw, problems } from "../helpers/example.ts";

const DB = "topology.directorPairs.ilb.instances.VI_DB";
/** ilb's VI_DB (master 150, backup 100, no sync group) tracking scripts of these weights. */
const tracking = (...weights: number[]) => (t: any) => {
  const ilb = t.directorPairs.ilb;
  ilb.scripts = Object.fromEntries(weights.map((weight, i) => [`chk${i}`, { command: "/usr/bin/true", weight }]));
  ilb.instances.VI_DB.trackScripts = weights.map((_, i) => `chk${i}`);
};

describe("failure-mode arithmetic", () => {
  it.each([
    ["a script whose failure keeps the master above the backup", tracking(-20),
      `${DB}.trackScripts[0] names script 'chk0' with weight -20, whose failure on the master ilv1 can never move the VIPs (master 150 - 20 = 130, not below backup ilv2's 100); give it a weight of -51 or less, or 0 to fault the instance`],
    ["a script whose failure ties the master with the backup, which keeps it", tracking(-50),
      `${DB}.trackScripts[0] names script 'chk0' with weight -50, whose failure on the master ilv1 can never move the VIPs (master 150 - 50 = 100, not below backup ilv2's 100); give it a weight of -51 or less, or 0 to fault the instance`],
    ["a positive script whose missing bonus keeps the master level", tracking(50),
      `${DB}.trackScripts[0] names script 'chk0' with weight 50, whose failure on the master ilv1 can never move the VIPs (master 150, not below backup ilv2's 100 + 50 = 150); give it a weight of 51 or more, or 0 to fault the instance`],
    ["a script against another one's bonus", tracking(60, -50),
      `${DB}.trackScripts[1] names script 'chk1' with weight -50, whose failure on the master ilv1 can never move the VIPs (master 150 + 60 - 50 = 160, not below backup ilv2's 100 + 60 = 160); give it a weight of -51 or less, or 0 to fault the instance`],
    ["a bonus smaller than the gap between master and backup", tracking(10),
      `${DB}.trackScripts[0] names script 'chk0' with weight 10, whose failure on the master ilv1 can never move the VIPs (master 150, not below backup ilv2's 100 + 10 = 110); give it a weight of 51 or more, or 0 to fault the instance`],
    ["a weighted script with nopreempt", (t: any) => {
      t.directorPairs.slb.scripts = { chk: { command: "/usr/bin/true", weight: -200 } };
      t.directorPairs.slb.instances.VI_STATIC.trackScripts = ["chk"];
    }, "topology.directorPairs.slb.instances.VI_STATIC.trackScripts[0] names script 'chk' with weight -200, whose failure on the master slv1 can never move the VIPs: with nopreempt the backup slv2 never takes over from a master that still sends adverts; give it weight 0 to fault the instance"],
    ["a sync group's script that moves none of its instances", (t: any) => {
      t.directorPairs.lb.scripts.chk_load = { command: "/usr/bin/true", weight: -50 };
      t.directorPairs.lb.syncGroups.VG_LB.trackScripts = ["chk_load"];
    }, "topology.directorPairs.lb.syncGroups.VG_LB.trackScripts[0] names script 'chk_load' with weight -50, whose failure on the master lv1 can never move the VIPs (VI_EXT: master 150 - 50 = 100, not below backup lv2's 100; VI_INT: master 150 - 50 = 100, not below backup lv2's 100); give it a weight of -51 or less, or 0 to fault the instance"],
    ["a track process whose failure keeps the master above the backup", (t: any) => {
      t.directorPairs.ilb.trackProcesses = { proxy: { process: "haproxy", weight: -30 } };
      t.directorPairs.ilb.instances.VI_DB.trackProcesses = ["proxy"];
    }, `${DB}.trackProcesses[0] names track process 'proxy' with weight -30, whose failure on the master ilv1 can never move the VIPs (master 150 - 30 = 120, not below backup ilv2's 100); give it a weight of -51 or less, or 0 to fault the instance`],
    ["a script against a track process's bonus", (t: any) => {
      tracking(-50)(t);
      t.directorPairs.ilb.trackProcesses = { proxy: { process: "haproxy", weight: 60 } };
      t.directorPairs.ilb.instances.VI_DB.trackProcesses = ["proxy"];
    }, `${DB}.trackScripts[0] names script 'chk0' with weight -50, whose failure on the master ilv1 can never move the VIPs (master 150 + 60 - 50 = 160, not below backup ilv2's 100 + 60 = 160); give it a weight of -51 or less, or 0 to fault the instance`],
    ["bonuses that take both directors to keepalived's highest priority", (t: any) => {
      tracking(20)(t);
      t.directorPairs.ilb.instances.VI_DB.priority = { master: 235, backup: 234 };
    }, `${DB}.priority.master 235 gives the master ilv1 235 + 20, kept at 254 with every tracked script succeeding, no more than the backup ilv2's 234 + 20 = 254: the master would not outrank the backup`],
  ])("refuses %s", (_what, mutate, message) => {
    expect(problems(mutate)).toEqual([message]);
  });

  it.each([
    ["a script whose failure takes the master just below the backup", tracking(-51)],
    ["a positive script whose missing bonus does", tracking(51)],
    ["a script of weight 0, which faults the instance", tracking(0)],
    ["a script against another one's bonus, by one more", tracking(60, -51)],
    ["bonuses that leave the master one above", (t: any) => { tracking(20)(t); t.directorPairs.ilb.instances.VI_DB.priority = { master: 234, backup: 233 }; }],
    ["a sync group's script that moves one of its instances", (t: any) => {
      t.directorPairs.lb.scripts.chk_load = { command: "/usr/bin/true", weight: -50 };
      t.directorPairs.lb.syncGroups.VG_LB.trackScripts = ["chk_load"];
      t.directorPairs.lb.instances.VI_INT.priority = { master: 149 };
    }],
  ])("accepts %s", (_what, mutate) => {
    expect(problems(mutate)).toEqual([]);
  });

  it("works out who holds the VIPs after each single failure, on either director", () => {
    const raw = exampleRaw();
    tracking(-60, 0)(raw);
    const t = parseTopology(raw);
    expect(failures(t.directorPairs.ilb, "ilb").map((o) => `${o.failure}: ${o.owner} (${o.why})`)).toEqual([
      "ilv1 down: ilv2 (ilv2 stops hearing ilv1's adverts)",
      "eth0 down on ilv1: ilv2 (VI_DB goes to FAULT on ilv1)",
      "script chk0 failing on ilv1: ilv2 (VI_DB: master 150 - 60 = 90 below backup 100 after preemptDelay 30 s)",
      "script chk1 failing on ilv1: ilv2 (weight 0: VI_DB goes to FAULT on ilv1)",
      "ilv2 down: ilv1 (ilv1 stops hearing ilv2's adverts)",
      "eth0 down on ilv2: ilv1 (VI_DB goes to FAULT on ilv2)",
      "script chk0 failing on ilv2: ilv1 (only ilv2's priority changes)",
      "script chk1 failing on ilv2: ilv1 (weight 0: VI_DB goes to FAULT on ilv2)",
    ]);
  });

  it("counts a track process like a script, and a track file of weight 0 as a fault", () => {
    const raw = exampleRaw();
    const ilb = raw.directorPairs.ilb;
    ilb.trackProcesses = { proxy: { process: "haproxy", weight: -60 } };
    ilb.trackFiles = { deploying: { file: "/run/deploying" }, load: { file: "/run/load", weight: -1 } };
    Object.assign(ilb.instances.VI_DB, { trackProcesses: ["proxy"], trackFiles: ["deploying", "load"] });
    const t = parseTopology(raw);
    expect(failures(t.directorPairs.ilb, "ilb").filter((o) => o.failure.includes("track")).map((o) => `${o.failure}: ${o.owner} (${o.why})`)).toEqual([
      "track file deploying not 0 on ilv1: ilv2 (weight 0: VI_DB goes to FAULT on ilv1)",
      "track process proxy failing on ilv1: ilv2 (VI_DB: master 150 - 60 = 90 below backup 100 after preemptDelay 30 s)",
      "track file deploying not 0 on ilv2: ilv1 (weight 0: VI_DB goes to FAULT on ilv2)",
      "track process proxy failing on ilv2: ilv1 (only ilv2's priority changes)",
    ]);
  });

  it("finds every failure on the example's masters moving the VIPs to the backup", () => {
    const t = parseTopology(exampleRaw());
    for (const [pn, pair] of Object.entries(t.directorPairs)) {
      const onMaster = failures(pair, pn).filter((o) => o.failure === `${pair.master} down` || o.failure.endsWith(` on ${pair.master}`));
      expect(onMaster.length).toBeGreaterThan(0);
      expect(onMaster.filter((o) => o.owner !== pair.backup)).toEqual([]);
    }
  });
});

describe("a pool's quorum", () => {
  const SMTP = "topology.directorPairs.ilb.virtualServers.smtp";
  it.each([
    [{ quorum: 3, hysteresis: 0 }, `${SMTP}.quorum 3 is above the total weight 2 of pool 'smtp' (smtp1 1, smtp2 1): the service would never be up`],
    [{ quorum: 2, hysteresis: 1 }, `${SMTP}.quorum 2 + hysteresis 1 = 3 is above the total weight 2 of pool 'smtp' (smtp1 1, smtp2 1): the service would never be up`],
    [{ quorum: 2, hysteresis: 0 }, undefined],
    [{ quorum: 1, hysteresis: 1 }, undefined],
  ])("%j: refused only above the pool's total weight", (q, message) => {
    expect(problems((t) => Object.assign(t.directorPairs.ilb.virtualServers.smtp, q))).toEqual(message ? [message] : []);
  });
});
