// Cross-field rules of the storage pairs (schema.ts's storagePairs): who the
// nodes and the arbiter are, where the service address and the exports go.
import type { Topology } from "./schema.ts";
import { inSubnet, networkOf } from "./net.ts";
import { drbdAddress, interfaces } from "./resolve.ts";

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

/** The segment two nodes replicate on: address and prefix of the first node's interface there. */
export function clusterSegment(t: Topology, nodes: Record<string, { address?: string }>): { address: string; prefix: number } | undefined {
  const [first] = Object.keys(nodes).sort();
  const a = drbdAddress(t, nodes, first);
  if (!a.ok) return undefined;
  return interfaces(t.hosts[first]).find((i) => i.address === a.value);
}

export function checkStoragePairs(t: Topology, report: Report): void {
  const owner = new Map<string, string>();
  for (const [dn, d] of Object.entries(t.drbdPairs)) for (const n of Object.keys(d.nodes)) owner.set(n, `DRBD pair '${dn}'`);
  for (const [sn, s] of Object.entries(t.storagePairs)) {
    const at = (...p: Path): Path => ["storagePairs", sn, ...p];
    const names = Object.keys(s.nodes);
    for (const n of names) {
      if (!t.hosts[n]) { report(at("nodes", n), "is not a host defined under hosts"); continue; }
      // One corosync per host, and the DRBD resource files of two pairs would meet.
      if (owner.has(n)) report(at("nodes", n), `is already a node of ${owner.get(n)}; a host is a node of one pair`);
      else owner.set(n, `storage pair '${sn}'`);
    }
    for (const field of ["initialSyncSource", "preferredNode"] as const) {
      const v = s[field];
      if (v !== undefined && !names.includes(v)) report(at(field), `must be one of the pair's nodes (${names.join(", ")}), got '${v}'`);
    }
    if (!!s.nfs === !!s.mariadb) report(at(), "must serve exactly one of nfs and mariadb");
    for (const [i, e] of (s.nfs?.exports ?? []).entries()) {
      const mp = s.filesystem.mountPoint;
      if (!e.path.startsWith(`${mp}/`)) report(at("nfs", "exports", i, "path"), `must be a folder under ${mp}, the filesystem that moves with the service (the mount point itself also holds the server's state), got '${e.path}'`);
    }
    if (names.length !== 2 || !names.every((n) => t.hosts[n])) continue;
    const addrs = names.map((n) => drbdAddress(t, s.nodes, n));
    addrs.forEach((a, i) => { if (!a.ok) report(at("nodes", names[i]), a.reason); });
    const seg = clusterSegment(t, s.nodes);
    if (!seg || !addrs.every((a) => a.ok)) continue;
    const net = `${networkOf(seg.address, seg.prefix)}/${seg.prefix}`;
    if (!inSubnet(s.address, seg.address, seg.prefix)) report(at("address"), `${s.address} is outside the nodes' segment ${net}, where it has to move between them`);
    for (const [hn, h] of Object.entries(t.hosts)) {
      if (interfaces(h).some((i) => i.address === s.address)) report(at("address"), `${s.address} is ${hn}'s own address; the service address must be one of its own`);
    }
    const arb = t.hosts[s.arbiter];
    if (!arb) report(at("arbiter"), `names host '${s.arbiter}', which is not defined under hosts`);
    else if (names.includes(s.arbiter)) report(at("arbiter"), `'${s.arbiter}' is a node of the pair; the arbiter is the third vote, a host of its own`);
    else if (!interfaces(arb).some((i) => inSubnet(i.address, seg.address, seg.prefix))) report(at("arbiter"), `'${s.arbiter}' has no interface on the nodes' segment ${net}`);
  }
}
