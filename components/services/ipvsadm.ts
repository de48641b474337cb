// Static IPVS rules for a director pair with `ipvs: static`: the same services,
// schedulers, methods, real servers and weights as the keepalived virtual
// servers would be, without health checks, in `ipvsadm-save -n` form (no
// comments: ipvsadm -R reads every line as rule arguments). dsas-ipvs-sync
// brings the kernel's table to them in place; a leaving real server is
// drained first, and the pair's services leave the kernel with the pair.
import type { DirectorPairModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const ipvsadm: Service = { name: "ipvsadm", phase: 20, needs: ["ipvsadm:ipvsadm"], rollout: "one host at a time" };

export const IPVSADM_RULES = "/etc/ipvsadm.rules";
export const IPVSADM_DRAIN = "/etc/ipvsadm.drain";

const METHOD = { NAT: "-m", DR: "-g", TUN: "-i" } as const;
const PROTOCOL = { TCP: "-t", UDP: "-u" } as const;

export interface IpvsService {
  readonly protocol: "TCP" | "UDP";
  readonly vip: string;
  readonly port: number;
  readonly scheduler: string;
  readonly persistence: number;
  readonly reals: { address: string; port: number; method: "NAT" | "DR" | "TUN"; weight: number; drainSeconds: number }[];
}

/** The IPVS table a pair's virtual servers describe, in a stable order. */
export function ipvsServices(pair: DirectorPairModel): IpvsService[] {
  return Object.values(pair.virtualServers)
    .map((vs) => ({
      protocol: vs.protocol,
      vip: vs.vip,
      port: vs.port,
      scheduler: vs.lbAlgo,
      persistence: vs.persistenceTimeout,
      reals: vs.realServers.map((r) => ({ address: r.address, port: r.port, method: vs.lbKind, weight: r.weight, drainSeconds: r.drainSeconds }))
        .sort((a, b) => a.address.localeCompare(b.address)),
    }))
    .sort((a, b) => `${a.vip}:${a.port}/${a.protocol}`.localeCompare(`${b.vip}:${b.port}/${b.protocol}`));
}

export function ipvsadmRules(pair: DirectorPairModel): string {
  const services = ipvsServices(pair).map((s) => {
    const svc = `${PROTOCOL[s.protocol]} ${s.vip}:${s.port}`;
    return {
      add: `-A ${svc} -s ${s.scheduler}${s.persistence ? ` -p ${s.persistence}` : ""}`,
      reals: s.reals.map((r) => `-a ${svc} -r ${r.address}:${r.port} ${METHOD[r.method]} -w ${r.weight}`),
    };
  });
  return template("ipvsadm.rules.hbs", { services });
}

/** Each virtual service's sorry server, as "-t VIP:PORT -r ADDRESS:PORT". */
export function sorryServers(pair: DirectorPairModel): string[] {
  return Object.values(pair.virtualServers).filter((vs) => vs.sorryServer)
    .map((vs) => `${PROTOCOL[vs.protocol]} ${vs.vip}:${vs.port} -r ${vs.sorryServer!.address}:${vs.sorryServer!.port}`)
    .sort();
}

/** Every real server of the pair's table with how long to drain it when it leaves: what dsas-drain reads before a removal. */
export function drainList(pair: DirectorPairModel): string {
  const reals = ipvsServices(pair).flatMap((s) => s.reals.map((r) =>
    `${PROTOCOL[s.protocol]} ${s.vip}:${s.port} ${r.address}:${r.port} ${r.drainSeconds}`));
  return template("ipvs-drain.hbs", { reals });
}

export function ipvsadmUnit(pair: DirectorPairModel, host: string): UnitDraft {
  return {
    host,
    service: ipvsadm,
    hooks: {
      prepare: `dsas-drain ${IPVSADM_DRAIN}`,
      apply: `dsas-ipvs-sync ${IPVSADM_RULES}`,
      // No drain: keepalived, which held the VIPs, leaves with the pair.
      remove: `dsas-ipvs-sync --remove ${IPVSADM_RULES}`,
      drift: `dsas-drift ipvs static ${IPVSADM_RULES}`,
    },
    files: [
      file(IPVSADM_RULES, ipvsadmRules(pair)),
      file("/etc/default/ipvsadm", template("ipvsadm-default.hbs", { pair: pair.name })),
      file(IPVSADM_DRAIN, drainList(pair)),
    ],
  };
}
