// Facts derived from the topology (which address a director uses for a real
// server, which VIP is a NAT gateway ...). The cross-checks and the renderers
// both call these, so a rule is written once.
import { inSubnet, parseCidr } from "./net.ts";
import type { DirectorPair, Host, Topology, VirtualServer } from "./schema.ts";

export interface InterfaceAddress {
  readonly iface: string;
  readonly address: string;
  readonly prefix: number;
}

export function interfaces(host: Host): InterfaceAddress[] {
  return Object.entries(host.interfaces).map(([iface, c]) => ({ iface, ...parseCidr(c)! }));
}

/** The host's interface on the segment (subnet) of `ip`, if any. */
export function interfaceOnSegmentOf(host: Host, ip: string): InterfaceAddress | undefined {
  return interfaces(host).find((i) => inSubnet(ip, i.address, i.prefix));
}

/** Every VIP of a pair with the instance that holds it. */
export function vipsOf(pair: DirectorPair): { vip: string; instance: string }[] {
  return Object.entries(pair.instances).flatMap(([instance, i]) => i.virtualIps.map((vip) => ({ vip, instance })));
}

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Resolved<T> => ({ ok: true, value });
const no = <T>(reason: string): Resolved<T> => ({ ok: false, reason });

/** The VIP NAT real servers on `address`'s segment use as default gateway. */
export function natGateway(topo: Topology, pair: DirectorPair, vs: VirtualServer, address: string): Resolved<string> {
  const master = topo.hosts[pair.master];
  const onSegment = vipsOf(pair).map((v) => v.vip).filter((vip) => {
    const i = master && interfaceOnSegmentOf(master, vip);
    return i !== undefined && inSubnet(address, i.address, i.prefix);
  });
  if (vs.gateway !== undefined) {
    return onSegment.includes(vs.gateway) ? ok(vs.gateway)
      : no(`gateway ${vs.gateway} must be one of the pair's VIPs on the real server's segment (${address})`);
  }
  if (onSegment.length === 1) return ok(onSegment[0]);
  if (onSegment.length === 0) {
    return no(`is a NAT real server at ${address}, but the director pair holds no VIP on that segment to be its gateway; add the internal VIP to an instance on that segment`);
  }
  return no(`has several VIPs of the pair on its segment (${onSegment.join(", ")}); set the virtual server's gateway`);
}

/** The address the directors send a real server's traffic to. */
export function realServerAddress(topo: Topology, pair: DirectorPair, vs: VirtualServer, hostName: string): Resolved<string> {
  const host = topo.hosts[hostName];
  if (!host) return no(`is not a host defined under hosts`);
  const given = topo.pools[vs.pool]?.realServers[hostName]?.address;
  const own = interfaces(host);
  if (given !== undefined && !own.some((i) => i.address === given)) {
    return no(`address ${given} is not on any interface of ${hostName}`);
  }
  if (vs.lbKind === "DR") {
    const i = given ? own.find((x) => x.address === given)! : interfaceOnSegmentOf(host, vs.vip);
    if (!i || !inSubnet(vs.vip, i.address, i.prefix)) {
      return no(`is a DR real server but has no interface on the segment of VIP ${vs.vip}; DR needs the real server on the VIP's segment`);
    }
    return ok(i.address);
  }
  if (vs.lbKind === "NAT") {
    const candidates = given ? [given] : own.map((i) => i.address);
    const reasons: string[] = [];
    for (const address of candidates) {
      const gw = natGateway(topo, pair, vs, address);
      if (gw.ok) return ok(address);
      reasons.push(gw.reason);
    }
    return no(reasons[0]);
  }
  return ok(given ?? own[0].address);
}

/** A DRBD node's replication address: given, or on the segment it shares with its peer. */
export function drbdAddress(topo: Topology, nodes: Record<string, { address?: string }>, node: string): Resolved<string> {
  const host = topo.hosts[node];
  if (!host) return no(`is not a host defined under hosts`);
  const peerName = Object.keys(nodes).find((n) => n !== node)!;
  const peer = topo.hosts[peerName];
  const given = nodes[node].address;
  if (given !== undefined) {
    return interfaces(host).some((i) => i.address === given) ? ok(given)
      : no(`address ${given} is not on any interface of ${node}`);
  }
  const shared = peer && interfaces(host).find((mine) => interfaces(peer).some((theirs) => inSubnet(theirs.address, mine.address, mine.prefix)));
  return shared ? ok(shared.address) : no(`shares no segment with ${peerName}; give each node's address`);
}

/** A squid's address as the fronts reach it: on a segment every front shares. */
export function squidAddress(topo: Topology, squid: string, fronts: string[]): Resolved<string> {
  const host = topo.hosts[squid];
  if (!host) return no(`is not a host defined under hosts`);
  const found = interfaces(host).find((mine) => fronts.every((f) => {
    const front = topo.hosts[f];
    return front !== undefined && interfaces(front).some((i) => inSubnet(i.address, mine.address, mine.prefix));
  }));
  return found ? ok(found.address) : no(`shares no segment with every front (${fronts.join(", ")})`);
}

export interface RealServerNet {
  /** VIPs the host holds on lo for LVS-DR services. */
  readonly loVips: string[];
  /** Default gateways LVS-NAT services ask for; valid only when exactly one. */
  readonly gateways: string[];
  /** Where each requirement comes from, for messages. */
  readonly sources: string[];
}

/** What each real server's network needs, across every director pair. */
export function realServerNets(topo: Topology): Map<string, RealServerNet> {
  const nets = new Map<string, { loVips: Set<string>; gateways: Set<string>; sources: string[] }>();
  for (const [pn, pair] of Object.entries(topo.directorPairs)) {
    for (const [vn, vs] of Object.entries(pair.virtualServers)) {
      const pool = topo.pools[vs.pool];
      if (!pool) continue;
      for (const host of Object.keys(pool.realServers)) {
        const n = nets.get(host) ?? { loVips: new Set(), gateways: new Set(), sources: [] };
        nets.set(host, n);
        if (vs.lbKind === "NAT") {
          const addr = realServerAddress(topo, pair, vs, host);
          const gw = addr.ok ? natGateway(topo, pair, vs, addr.value) : undefined;
          if (gw?.ok) {
            n.gateways.add(gw.value);
            n.sources.push(`directorPairs.${pn}.virtualServers.${vn} (NAT via ${gw.value})`);
          }
        } else if (vs.lbKind === "DR") {
          n.loVips.add(vs.vip);
          n.sources.push(`directorPairs.${pn}.virtualServers.${vn} (${vs.lbKind} ${vs.vip})`);
        }
      }
    }
  }
  return new Map([...nets].map(([h, n]) => [h, {
    loVips: [...n.loVips].sort(), gateways: [...n.gateways].sort(), sources: n.sources,
  }]));
}
