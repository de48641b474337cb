// Address rules across the whole stack: an address belongs to one interface
// of one host, a VIP to no host and to one instance (nor to a storage pair),
// the two directors of a pair agree on each segment they share, a unicast
// pair has two ends, and a sorry server is not one of the machines it stands
// in for.
import { inSubnet } from "./net.ts";
import { interfaces } from "./resolve.ts";
import type { Topology } from "./schema.ts";
import type { Report } from "./validate.ts";

export function addressCheck(t: Topology, report: Report): void {
  // Every interface address, by the first host and interface that has it.
  const owners = new Map<string, { host: string; iface: string }>();
  for (const [host, h] of Object.entries(t.hosts)) {
    for (const i of interfaces(h)) {
      const prior = owners.get(i.address);
      if (prior) report(["hosts", host, "interfaces", i.iface], `${i.address} is already the address of ${prior.host}'s ${prior.iface}; every interface address must be unique across hosts`);
      else owners.set(i.address, { host, iface: i.iface });
    }
  }

  const vips = new Map<string, string>();
  for (const [pn, pair] of Object.entries(t.directorPairs)) {
    for (const [iname, inst] of Object.entries(pair.instances)) {
      inst.virtualIps.forEach((vip, k) => {
        const path = ["directorPairs", pn, "instances", iname, "virtualIps", k];
        const owner = owners.get(vip);
        // On failover the other director would take that host's own address.
        if (owner) report(path, `${vip} is the address of ${owner.host}'s ${owner.iface}; a VIP must be an address no host has`);
        const prior = vips.get(vip);
        if (prior) report(path, `${vip} is already a VIP at ${prior}; a VIP belongs to one instance`);
        else vips.set(vip, `directorPairs.${pn}.instances.${iname}.virtualIps[${k}]`);
      });
    }

    const [m, b] = [t.hosts[pair.master], t.hosts[pair.backup]];
    if (!m || !b || pair.master === pair.backup) continue; // reported by the cross-checks
    // keepalived gives a VIP the prefix of each director's own interface on its segment.
    for (const theirs of interfaces(b)) {
      const mine = interfaces(m).find((x) => inSubnet(theirs.address, x.address, x.prefix) || inSubnet(x.address, theirs.address, theirs.prefix));
      if (mine && mine.prefix !== theirs.prefix) {
        report(["hosts", pair.backup, "interfaces", theirs.iface],
          `${theirs.address}/${theirs.prefix} shares a segment with ${pair.master}'s ${mine.iface} ${mine.address}/${mine.prefix} but not its prefix; the directors of pair '${pn}' must agree on each shared segment's prefix, which keepalived gives their VIPs`);
      }
    }
    for (const [iname, inst] of Object.entries(pair.instances)) {
      const [src, peer] = [m.interfaces[inst.interface], b.interfaces[inst.interface]].map((c) => c?.split("/")[0]);
      if (inst.unicast && src !== undefined && src === peer) {
        report(["directorPairs", pn, "instances", iname, "unicast"], `is true, but ${pair.master} and ${pair.backup} both have ${src} on ${inst.interface}: unicast_src_ip and unicast_peer must differ`);
      }
    }

    for (const [vn, vs] of Object.entries(pair.virtualServers)) {
      const pool = t.pools[vs.pool];
      if (!vs.sorryServer || !pool) continue;
      const sorry = vs.sorryServer.address;
      const member = Object.entries(pool.realServers).find(([host, rs]) => rs.address === sorry || (t.hosts[host] && interfaces(t.hosts[host]).some((i) => i.address === sorry)));
      if (member) {
        report(["directorPairs", pn, "virtualServers", vn, "sorryServer", "address"],
          `${sorry} is ${member[0]}, a real server of pool '${vs.pool}'; the sorry server serves when every real server is down, so it must be another machine`);
      }
    }
  }

  // A storage pair's service address moves too: it is no VIP and no other pair's (no host's: storage-checks.ts).
  for (const [sn, sp] of Object.entries(t.storagePairs ?? {})) {
    const prior = vips.get(sp.address);
    if (prior) report(["storagePairs", sn, "address"], `${sp.address} is already ${prior.startsWith("storagePairs.") ? "the service address at" : "a VIP at"} ${prior}; an address that moves belongs to one instance or pair`);
    else vips.set(sp.address, `storagePairs.${sn}.address`);
  }
}
