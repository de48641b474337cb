// Static IPVS rules in `ipvsadm-save -n` form (no comments: ipvsadm -R takes
// every line as rule arguments), loadable with `ipvsadm -R`:
// the same services, schedulers, methods, real servers and weights as the
// keepalived virtual servers of the pair, without health checks.
import { realServerAddress } from "../model/resolve.ts";
import type { Topology } from "../model/schema.ts";
import { template } from "./files.ts";

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
export function ipvsServices(topo: Topology, pairName: string): IpvsService[] {
  const pair = topo.directorPairs[pairName];
  return Object.values(pair.virtualServers)
    .map((vs) => {
      const pool = topo.pools[vs.pool];
      return {
        protocol: vs.protocol,
        vip: vs.vip,
        port: vs.port,
        scheduler: vs.lbAlgo,
        persistence: vs.persistenceTimeout,
        reals: Object.entries(pool.realServers).map(([host, rs]) => {
          const r = realServerAddress(topo, pair, vs, host);
          if (!r.ok) throw new Error(`unvalidated topology: ${host} ${r.reason}`);
          return { address: r.value, port: pool.port, method: vs.lbKind, weight: rs.weight, drainSeconds: pool.drainSeconds };
        }).sort((a, b) => a.address.localeCompare(b.address)),
      };
    })
    .sort((a, b) => `${a.vip}:${a.port}/${a.protocol}`.localeCompare(`${b.vip}:${b.port}/${b.protocol}`));
}

export function ipvsadmRules(topo: Topology, pairName: string): string {
  const services = ipvsServices(topo, pairName).map((s) => {
    const svc = `${PROTOCOL[s.protocol]} ${s.vip}:${s.port}`;
    return {
      add: `-A ${svc} -s ${s.scheduler}${s.persistence ? ` -p ${s.persistence}` : ""}`,
      reals: s.reals.map((r) => `-a ${svc} -r ${r.address}:${r.port} ${METHOD[r.method]} -w ${r.weight}`),
    };
  });
  return template("ipvsadm.rules.hbs", { services });
}

/** Every real server of the pair's table with how long to drain it when it leaves: what dsas-apply reads before a removal. */
export function drainList(topo: Topology, pairName: string): string {
  const reals = ipvsServices(topo, pairName).flatMap((s) => s.reals.map((r) =>
    `${PROTOCOL[s.protocol]} ${s.vip}:${s.port} ${r.address}:${r.port} ${r.drainSeconds}`));
  return template("ipvs-drain.hbs", { reals });
}
