// corosync-qnetd on a storage pair's arbiter: the third vote of every pair that
// names this host, which goes to one side of a partition only (ffsplit).
import type { StoragePairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const qnetd: Service = { name: "qnetd", phase: 5, rollout: "all hosts at once", needs: ["corosync-qnetd:corosync-qnetd"] };

export function qnetdUnit(pairs: readonly StoragePairModel[]): UnitDraft {
  return {
    host: pairs[0].arbiter,
    service: qnetd,
    hooks: {
      // A restart costs no pair its quorum: both nodes still hold two of three votes.
      apply: "systemctl enable -q corosync-qnetd && systemctl restart corosync-qnetd",
      remove: "systemctl disable -q --now corosync-qnetd",
      drift: "dsas-drift unit corosync-qnetd",
    },
    files: [file("/etc/default/corosync-qnetd", template("qnetd.hbs", { pairs: pairs.map((p) => p.name), plural: pairs.length > 1 }))],
  };
}
