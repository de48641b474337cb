import { describe, expect, it } from "vitest";
import { problems } from "../helpers/example.ts";

const STOPS = "but keepalived 2.2.7's config test (keepalived -t, which dsas-apply runs before each change) stops itself when it checks a script as a user other than root";

describe("what the daemons' versions cannot do", () => {
  it.each([
    ["tracked scripts and notify scripts", (t: any) => {
      t.directorPairs.lb.scriptUser = "keepalived_script";
      t.directorPairs.lb.instances.VI_INT.notify = { master: "/usr/bin/true" };
    }, `topology.directorPairs.lb.scriptUser is 'keepalived_script', ${STOPS}, so this pair's scripts (directorPairs.lb.instances.VI_EXT.trackScripts[0], directorPairs.lb.instances.VI_INT.notify.master) could never be deployed; use root`],
    ["the MySQL replication check", (t: any) => { t.directorPairs.ilb.scriptUser = "nobody"; },
      `topology.directorPairs.ilb.scriptUser is 'nobody', ${STOPS}, so this pair's scripts (pools.mysql.checks[0]) could never be deployed; use root`],
    ["quorum scripts and a real server's own MISC_CHECK", (t: any) => {
      t.directorPairs.lb.scriptUser = "nobody";
      t.directorPairs.lb.instances.VI_EXT.trackScripts = [];
      t.directorPairs.lb.virtualServers.web.quorumDown = "/usr/bin/logger";
      t.pools.web.realServers.web1.checks = [{ type: "MISC_CHECK", command: "/usr/bin/true" }];
    }, `topology.directorPairs.lb.scriptUser is 'nobody', ${STOPS}, so this pair's scripts (directorPairs.lb.virtualServers.web.quorumDown, pools.web.realServers.web1.checks[0]) could never be deployed; use root`],
  ])("refuses a script user other than root for a pair with %s", (_what, mutate, message) => {
    expect(problems(mutate)).toEqual([message]);
  });

  it("accepts another script user for a pair whose keepalived checks no script", () => {
    expect(problems((t) => { t.directorPairs.slb.scriptUser = "nobody"; })).toEqual([]);
  });
});
