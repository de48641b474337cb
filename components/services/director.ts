// A director's kernel: the IPVS modules and schedulers its pair uses, and the
// sysctls (forwarding for NAT, what happens to a removed real server's
// connections). First on a director, before the daemons that rely on them.
import type { DirectorPairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const director: Service = { name: "director", phase: 10, needs: ["ipvsadm:ipvsadm"], rollout: "one host at a time" };

export function directorUnit(pair: DirectorPairModel, host: string): UnitDraft {
  const virtualServers = Object.values(pair.virtualServers);
  const nat = virtualServers.some((vs) => vs.lbKind === "NAT");
  const schedulers = [...new Set(virtualServers.map((vs) => vs.lbAlgo))].sort();
  return {
    host,
    service: director,
    hooks: { apply: "dsas-kernel" },
    files: [
      file("/etc/sysctl.d/60-dsas-director.conf", template("director-sysctl.conf.hbs", { pair: pair.name, nat })),
      file("/etc/modules-load.d/dsas-ipvs.conf", template("director-modules.conf.hbs", { pair: pair.name, schedulers })),
    ],
  };
}
