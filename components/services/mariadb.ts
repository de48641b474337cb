// The MariaDB primary of a storage pair, on both nodes; only the Primary runs
// it (pacemaker.ts, ocf:heartbeat:mysql, which monitors with a query). One
// configuration for both: the pair is one server, its data directory and its
// binary logs (under fixed names) on the replicated filesystem, every commit
// on disk before it is acknowledged, so replicas using GTID go on from the
// moved primary. Checked by mariadbd itself; Debian's own unit stays disabled.
import type { StoragePairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const mariadb: Service = { name: "mariadb", phase: 65, rollout: "all hosts at once", needs: ["mariadbd:mariadb-server"] };

export const mariadbDatadir = (pair: StoragePairModel) => `${pair.filesystem.mountPoint}/mysql`;

export function mariadbUnit(pair: StoragePairModel, host: string): UnitDraft {
  const m = pair.mariadb!;
  return {
    host,
    service: mariadb,
    hooks: {
      check: "mariadbd --help --verbose >/dev/null",
      apply: "systemctl disable -q --now mariadb.service",
    },
    files: [file("/etc/mysql/mariadb.conf.d/60-dsas.cnf", template("mariadb-pair.cnf.hbs", {
      pair: pair.name, datadir: mariadbDatadir(pair), port: m.port, serverId: m.serverId, bufferPoolMB: m.bufferPoolMB,
    }))],
  };
}
