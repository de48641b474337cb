// The stack's topology as a Graphviz graph: segments, hosts with their roles,
// each director pair with its VIPs and virtual servers, the pools behind them,
// DRBD pairs, storage pairs and cache tiers. Pure, like every renderer; `dsas diagram` hands
// the text to Graphviz's dot for SVG.
import { networkOf } from "../model/net.ts";
import type { Model } from "../model/normalize.ts";
import { template } from "./files.ts";

export function diagramDot(topo: Model): string {
  const roles = new Map<string, string[]>();
  const role = (host: string, what: string) => roles.set(host, [...new Set([...(roles.get(host) ?? []), what])]);
  const edges: { from: string; to: string; attrs: string }[] = [];
  const segmentId = (net: string) => `segment ${net}`;

  const segments = new Set<string>();
  for (const [name, host] of Object.entries(topo.hosts)) {
    for (const i of host.nics) {
      const net = `${networkOf(i.address, i.prefix)}/${i.prefix}`;
      segments.add(net);
      edges.push({ from: name, to: segmentId(net), attrs: `label=${JSON.stringify(`${i.iface} .${i.address.split(".")[3]}`)}, color="#9aa7b8"` });
    }
  }

  const pairs = Object.entries(topo.directorPairs).sort(([a], [b]) => a.localeCompare(b)).map(([name, pair]) => {
    role(pair.master, `director ${name} (master)`);
    role(pair.backup, `director ${name} (backup)`);
    const vips = Object.values(pair.instances).flatMap((i) => i.virtualIps);
    const virtualServers = Object.entries(pair.virtualServers).sort(([a], [b]) => a.localeCompare(b)).map(([vsName, vs]) => {
      const id = `${name}/${vsName}`;
      for (const member of vs.realServers.map((r) => r.host)) {
        role(member, `real server (${vs.pool})`);
        edges.push({ from: id, to: member, attrs: `label=${JSON.stringify(vs.lbKind)}, style=dashed, color="#c0392b", fontcolor="#c0392b"` });
      }
      return { id, label: `${vsName} ${vs.vip}:${vs.port}/${vs.protocol}\n${vs.lbAlgo} ${vs.lbKind}, pool ${vs.pool}${pair.ipvs === "static" ? "\nstatic ipvsadm rules" : ""}` };
    });
    return {
      cluster: `cluster director ${name}`,
      label: `director pair ${name}: VIPs ${vips.join(", ")}`,
      members: [pair.master, pair.backup],
      virtualServers,
    };
  });

  for (const [name, pair] of Object.entries(topo.drbdPairs).sort(([a], [b]) => a.localeCompare(b))) {
    const [a, b] = Object.keys(pair.nodes).sort();
    for (const n of [a, b]) role(n, `DRBD ${name}${n === pair.initialSyncSource ? " (initial sync source)" : ""}`);
    edges.push({ from: a, to: b, attrs: `label=${JSON.stringify(`DRBD ${pair.resource}, protocol ${pair.protocol}`)}, style=bold, color="#1f6fb2", fontcolor="#1f6fb2"` });
  }
  for (const [name, pair] of Object.entries(topo.storagePairs).sort(([a], [b]) => a.localeCompare(b))) {
    const [a, b] = Object.keys(pair.nodes).sort();
    const service = pair.nfs ? `NFS ${pair.nfs.exports.map((e) => e.path).join(", ")}` : `MariaDB primary :${pair.mariadb!.port}`;
    for (const n of [a, b]) role(n, `storage pair ${name}: ${service} at ${pair.address}${n === pair.preferredNode ? " (preferred)" : ""}`);
    role(pair.arbiter, `arbiter of ${name} (corosync-qnetd)`);
    edges.push({ from: a, to: b, attrs: `label=${JSON.stringify(`DRBD ${pair.resource}, protocol ${pair.protocol}, Pacemaker`)}, style=bold, color="#1f6fb2", fontcolor="#1f6fb2"` });
    for (const n of [a, b]) edges.push({ from: pair.arbiter, to: n, attrs: `label="qdevice vote", style=dotted, color="#7d5ba6", fontcolor="#7d5ba6"` });
  }
  for (const [name, tier] of Object.entries(topo.cacheTiers).sort(([a], [b]) => a.localeCompare(b))) {
    for (const f of tier.fronts) role(f, `nginx front (${name})`);
    for (const s of tier.squids) role(s, `squid, memory only (${name})`);
    for (const f of tier.fronts) {
      for (const s of tier.squids) edges.push({ from: f, to: s, attrs: `label="URI hash", color="#27855a", fontcolor="#27855a"` });
    }
  }

  const hosts = Object.keys(topo.hosts).sort().map((name) => ({ id: name, label: [name, ...(roles.get(name) ?? [])].join("\n") }));
  return template("diagram.dot.hbs", {
    segments: [...segments].sort().map((net) => ({ id: segmentId(net), label: net })),
    pairs,
    hosts,
    edges,
  });
}
