// The validated topology with every derived default resolved once: the SSH
// address, a DRBD pair's resource name and replication addresses, each real
// server's address, the NAT gateway, the squids' addresses, which pool rolls
// out each real server. Everything after this reads these fields and never
// works them out again.
import { inSubnet } from "./net.ts";
import {
  drbdAddress, interfaces, realServerAddress, realServerNets, squidAddress,
  type InterfaceAddress, type RealServerNet, type Resolved,
} from "./resolve.ts";
import type { CacheTier, Check, DirectorPair, DrbdPair, Host, Pool, StoragePair, Topology, VirtualServer } from "./schema.ts";
import { clusterSegment } from "./storage-checks.ts";
import { secretRefs, type SecretUse } from "./validate.ts";

export interface HostModel extends Host {
  readonly name: string;
  readonly ssh: Host["ssh"] & { readonly address: string };
  /** The interfaces as address and prefix, in the stack's order. */
  readonly nics: readonly InterfaceAddress[];
}

export interface RealServerTarget {
  readonly host: string;
  /** The address the directors send to. */
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly drainSeconds: number;
  /** Its own checks where it has them, else the pool's. */
  readonly checks: readonly Check[];
  readonly delayLoop?: number;
}

export interface VirtualServerModel extends VirtualServer {
  readonly name: string;
  /** The pool's members as this service reaches them, sorted by host name. */
  readonly realServers: readonly RealServerTarget[];
  /** The pool's health checks. */
  readonly checks: readonly Check[];
}

export interface DirectorPairModel extends Omit<DirectorPair, "virtualServers"> {
  readonly name: string;
  readonly virtualServers: Readonly<Record<string, VirtualServerModel>>;
}

export interface PoolModel extends Pool {
  readonly name: string;
  /** The real servers whose preparation this pool rolls out, one at a time: each host once, in the first pool (by name) it is in. */
  readonly members: Readonly<Record<string, RealServerNet>>;
}

export interface DrbdNodeModel {
  readonly disk: string;
  /** Replication address. */
  readonly address: string;
}

export interface DrbdPairModel extends Omit<DrbdPair, "nodes" | "resource"> {
  readonly name: string;
  readonly resource: string;
  readonly nodes: Readonly<Record<string, DrbdNodeModel>>;
}

export interface CacheTierModel extends CacheTier {
  readonly name: string;
  /** Each squid's address on a segment every front shares. */
  readonly squidAddresses: Readonly<Record<string, string>>;
  /** Per squid, the addresses its fronts connect from. */
  readonly frontAddresses: Readonly<Record<string, readonly string[]>>;
}

export interface StorageNodeModel extends DrbdNodeModel {
  /** Corosync's node id: 1 and 2, by name. */
  readonly nodeId: number;
  /** The interface on the cluster segment, which carries the service address. */
  readonly iface: string;
}

export interface StoragePairModel extends Omit<StoragePair, "nodes" | "resource"> {
  readonly name: string;
  readonly resource: string;
  /** Always C: a write is acknowledged once it is on both disks. */
  readonly protocol: "C";
  readonly nodes: Readonly<Record<string, StorageNodeModel>>;
  /** The service address's prefix, from the nodes' segment. */
  readonly prefix: number;
  /** The arbiter's address on the nodes' segment. */
  readonly arbiterAddress: string;
}

export interface Model {
  readonly hosts: Readonly<Record<string, HostModel>>;
  readonly directorPairs: Readonly<Record<string, DirectorPairModel>>;
  readonly pools: Readonly<Record<string, PoolModel>>;
  readonly drbdPairs: Readonly<Record<string, DrbdPairModel>>;
  readonly cacheTiers: Readonly<Record<string, CacheTierModel>>;
  readonly storagePairs: Readonly<Record<string, StoragePairModel>>;
  /** Every secret referenced, with what for and where. */
  readonly secrets: readonly SecretUse[];
}

// The topology was validated, so every lookup here succeeds; a failure is a bug.
function must<T>(r: Resolved<T>, what: string): T {
  if (!r.ok) throw new Error(`unvalidated topology: ${what} ${r.reason}`);
  return r.value;
}

const byName = <T>(r: Record<string, T>) => Object.entries(r).sort(([a], [b]) => a.localeCompare(b));

export function normalize(t: Topology): Model {
  // Hosts keep the stack's order (the diagram draws them so); the rest go by name.
  const hosts = Object.fromEntries(Object.entries(t.hosts).map(([name, h]) => {
    const nics = interfaces(h);
    return [name, { ...h, name, nics, ssh: { ...h.ssh, address: h.ssh.address ?? nics[0].address } }];
  }));

  const directorPairs = Object.fromEntries(byName(t.directorPairs).map(([name, pair]) => [name, {
    ...pair,
    name,
    virtualServers: Object.fromEntries(byName(pair.virtualServers).map(([vsName, vs]) => {
      const pool = t.pools[vs.pool];
      const realServers = byName(pool.realServers).map(([host, rs]) => ({
        host,
        address: must(realServerAddress(t, pair, vs, host), host),
        port: pool.port,
        weight: rs.weight,
        drainSeconds: pool.drainSeconds,
        checks: rs.checks ?? pool.checks,
        ...(rs.delayLoop !== undefined ? { delayLoop: rs.delayLoop } : {}),
      }));
      return [vsName, { ...vs, name: vsName, realServers, checks: pool.checks }];
    })),
  }]));

  const nets = realServerNets(t);
  const owner = new Map<string, string>();
  for (const [pn, pool] of byName(t.pools)) {
    for (const host of Object.keys(pool.realServers).sort()) if (nets.has(host) && !owner.has(host)) owner.set(host, pn);
  }
  const pools = Object.fromEntries(byName(t.pools).map(([name, pool]) => [name, {
    ...pool,
    name,
    members: Object.fromEntries(Object.keys(pool.realServers).sort().filter((h) => owner.get(h) === name).map((h) => [h, nets.get(h)!])),
  }]));

  const drbdPairs = Object.fromEntries(byName(t.drbdPairs).map(([name, d]) => [name, {
    ...d,
    name,
    resource: d.resource ?? name,
    nodes: Object.fromEntries(byName(d.nodes).map(([node, n]) => [node, { disk: n.disk, address: must(drbdAddress(t, d.nodes, node), node) }])),
  }]));

  const cacheTiers = Object.fromEntries(byName(t.cacheTiers).map(([name, c]) => {
    const squidAddresses = Object.fromEntries([...c.squids].sort().map((s) => [s, must(squidAddress(t, s, c.fronts), s)]));
    const frontAddresses = Object.fromEntries(Object.entries(squidAddresses).map(([s, addr]) => {
      const seg = interfaces(t.hosts[s]).find((i) => i.address === addr)!;
      const from = c.fronts.map((f) => interfaces(t.hosts[f]).find((i) => inSubnet(i.address, seg.address, seg.prefix))!.address);
      return [s, [...new Set(from)].sort()];
    }));
    return [name, { ...c, name, squidAddresses, frontAddresses }];
  }));

  const storagePairs = Object.fromEntries(byName(t.storagePairs).map(([name, sp]) => {
    const seg = clusterSegment(t, sp.nodes)!;
    const nodes = Object.fromEntries(byName(sp.nodes).map(([node, n], i) => {
      const address = must(drbdAddress(t, sp.nodes, node), node);
      return [node, { disk: n.disk, address, nodeId: i + 1, iface: interfaces(t.hosts[node]).find((x) => x.address === address)!.iface }];
    }));
    const arbiterAddress = interfaces(t.hosts[sp.arbiter]).find((i) => inSubnet(i.address, seg.address, seg.prefix))!.address;
    return [name, { ...sp, name, resource: sp.resource ?? name, protocol: "C" as const, nodes, prefix: seg.prefix, arbiterAddress }];
  }));

  return { hosts, directorPairs, pools, drbdPairs, cacheTiers, storagePairs, secrets: secretRefs(t) };
}
