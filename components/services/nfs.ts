// The NFS server of a storage pair, on both nodes; only the Primary runs it
// (pacemaker.ts). NFSv4 only, its state (/var/lib/nfs) on the replicated
// filesystem and its server scope the service address, so clients' opens and
// locks carry over a move; the exports a file both nodes have, re-read where
// the server runs. Debian's rpc-statd is masked (a v4-only server needs none)
// and nfsdcld stops with the server, else the moving filesystem stays busy.
import type { StoragePairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import { PAIR_TOOL } from "./cluster.ts";
import type { Service, UnitDraft } from "./service.ts";

export const nfs: Service = { name: "nfs", phase: 65, rollout: "all hosts at once", needs: ["exportfs:nfs-kernel-server"] };

/** Where /var/lib/nfs lives on the pair's filesystem. */
export const nfsStateDir = (pair: StoragePairModel) => `${pair.filesystem.mountPoint}/.dsas-nfs-state`;

/** The folders the pair exports, which first set-up makes. */
export const exportDirs = (pair: StoragePairModel) => (pair.nfs?.exports ?? []).map((e) => e.path);

export function nfsUnit(pair: StoragePairModel, host: string): UnitDraft {
  const n = pair.nfs!;
  const exports = n.exports.map((e, i) => {
    // A stable fsid per export keeps file handles the same on both nodes.
    const options = e.options.some((o) => o.startsWith("fsid=")) ? e.options : [...e.options, `fsid=${i + 1}`];
    return { path: e.path, clients: e.clients.map((c) => `${c}(${options.join(",")})`).join(" ") };
  });
  return {
    host,
    service: nfs,
    hooks: {
      apply: "systemctl daemon-reload && systemctl mask -q rpc-statd.service rpc-statd-notify.service && systemctl disable -q nfs-server.service"
        + ` && ${PAIR_TOOL} exports ${pair.filesystem.mountPoint} ${exportDirs(pair).join(" ")}`,
      remove: "systemctl unmask -q rpc-statd.service rpc-statd-notify.service; systemctl daemon-reload",
    },
    files: [
      file("/etc/nfs.conf.d/dsas.conf", template("nfs.conf.hbs", { pair: pair.name, graceSeconds: n.graceSeconds, leaseSeconds: n.leaseSeconds })),
      file("/etc/exports.d/dsas.exports", template("nfs-exports.hbs", { pair: pair.name, exports })),
      file("/etc/systemd/system/nfsdcld.service.d/dsas.conf", template("nfsdcld-dropin.conf.hbs", { pair: pair.name })),
    ],
  };
}
