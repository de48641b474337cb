// Pacemaker's configuration of a storage pair: DRBD as a promotable clone
// (ocf:linbit:drbd promotes only an UpToDate node), then the filesystem, the
// service and its address as one group on the Promoted node, after the
// promotion; watchdog fencing, no service without quorum. A preferred node is
// an INFINITY location, above the stickiness: naming it moves the service
// there, and it returns there after a failover once that node is UpToDate
// again; with none named the service stays where it runs (no failback; the
// fence handler's -INFINITY still wins over both). Checked with crm_verify, applied as one
// versioned patch of the live configuration that keeps the constraints DRBD's
// fence handler places: what did not change keeps running where it runs.
import type { StoragePairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import { PAIR_TOOL } from "./cluster.ts";
import { mariadbDatadir } from "./mariadb.ts";
import { nfsStateDir } from "./nfs.ts";
import type { Service, UnitDraft } from "./service.ts";

export const pacemaker: Service = {
  name: "pacemaker", phase: 70, rollout: "after the others",
  needs: ["pacemakerd:pacemaker", "crm_verify:pacemaker-cli-utils", "corosync:corosync"],
};

export const CLUSTER_DIR = "/etc/dsas/cluster";

const HOOKS = {
  check: `${PAIR_TOOL} check ${CLUSTER_DIR}`,
  apply: `${PAIR_TOOL} start && ${PAIR_TOOL} push ${CLUSTER_DIR}`,
  // The service stops and DRBD goes down with the cluster; the data stays on both disks.
  remove: `${PAIR_TOOL} stop`,
  drift: "dsas-drift unit corosync pacemaker",
};

/** Operations under TCG or a loaded host take longer than Pacemaker's 20 s default. */
const OP_TIMEOUT_S = 90;

export function pacemakerUnit(pair: StoragePairModel, host: string): UnitDraft {
  const node = pair.nodes[host];
  const view = {
    pair: pair.name,
    resource: pair.resource,
    device: pair.device,
    mountPoint: pair.filesystem.mountPoint,
    fsType: pair.filesystem.type,
    address: pair.address,
    prefix: pair.prefix,
    iface: node.iface,
    nfs: pair.nfs ? { stateDir: nfsStateDir(pair) } : null,
    mariadb: pair.mariadb ? { datadir: mariadbDatadir(pair) } : null,
    preferredNode: pair.preferredNode ?? null,
    stonithWatchdogSeconds: 2 * pair.watchdogSeconds,
    opTimeoutSeconds: OP_TIMEOUT_S,
  };
  return {
    host,
    service: pacemaker,
    hooks: HOOKS,
    files: [
      file(`${CLUSTER_DIR}/resources.xml`, template("cluster-resources.xml.hbs", view)),
      file(`${CLUSTER_DIR}/constraints.xml`, template("cluster-constraints.hbs", view)),
      file(`${CLUSTER_DIR}/properties.xml`, template("cluster-properties.xml.hbs", view)),
      file(`${CLUSTER_DIR}/defaults.xml`, template("cluster-defaults.xml.hbs", view)),
    ],
  };
}
