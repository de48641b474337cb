// The cluster stack under a storage pair, on both of its nodes: Corosync
// (knet, encrypted with the pair's key, a qdevice vote from the arbiter) and
// sbd, which resets a node through its watchdog once it loses quorum, so the
// survivor can take over knowing the other is gone. Checked with corosync -t,
// reloaded with corosync-cfgtool -R while the cluster runs; the stack itself
// starts once the pair is set up (pacemaker.ts). Also ships dsas-pair, the
// pair's on-host steps.
import type { StoragePairModel } from "../model/normalize.ts";
import { file, LIBEXEC, program, secretToken, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const cluster: Service = {
  name: "cluster", phase: 60, rollout: "all hosts at once",
  needs: ["corosync:corosync", "corosync-qdevice:corosync-qdevice", "sbd:sbd", "pacemakerd:pacemaker", "crm_verify:pacemaker-cli-utils"],
};

export const PAIR_TOOL = `${LIBEXEC}/dsas-pair`;
export const COROSYNC_CONF = "/etc/corosync/corosync.conf";

const HOOKS = {
  check: "corosync -t",
  // Only what corosync applies at run time is reloaded; a node list or crypto change waits for the stack's next start.
  apply: "modprobe softdog && systemctl enable -q sbd && if systemctl is-active -q corosync; then corosync-cfgtool -R; fi",
};

export function clusterUnit(pair: StoragePairModel, host: string): UnitDraft {
  const syncMs = pair.watchdogSeconds * 1000;
  return {
    host,
    service: cluster,
    hooks: HOOKS,
    files: [
      file(COROSYNC_CONF, template("corosync.conf.hbs", {
        pair: pair.name,
        cluster: pair.name,
        tokenMs: pair.tokenMs,
        nodes: Object.entries(pair.nodes).map(([name, n]) => ({ name, nodeId: n.nodeId, address: n.address })),
        arbiter: pair.arbiterAddress,
        qdeviceSyncTimeoutMs: syncMs,
        qdeviceTimeoutMs: Math.min(10_000, syncMs / 2),
      })),
      file("/etc/corosync/authkey", secretToken(pair.clusterKey.secret), { mode: "0400" }),
      file("/etc/default/sbd", template("sbd.hbs", { pair: pair.name, watchdogSeconds: pair.watchdogSeconds })),
      file("/etc/modules-load.d/dsas-softdog.conf", template("softdog.conf.hbs", { pair: pair.name })),
      file(PAIR_TOOL, program("dsas-pair"), { mode: "0755" }),
    ],
  };
}
