// Files for a cache tier: a memory-only squid accelerator on each squid node,
// and on each front an nginx upstream that picks the squid by a consistent
// hash of the URI, so each object normally lives on one squid only.
import { inSubnet } from "../model/net.ts";
import { interfaces, squidAddress } from "../model/resolve.ts";
import type { CacheTier, Topology } from "../model/schema.ts";
import { file, template, type HostFile } from "./files.ts";

export const SQUID_CONF = "/etc/squid/squid.conf";
export const NGINX_DEFAULT_SITE = "/etc/nginx/sites-enabled/default";

export function frontConfPath(tier: string): string {
  return `/etc/nginx/conf.d/dsas-cache-${tier}.conf`;
}

// How a sibling is asked whether it holds an object. They are no-digest,
// since memory-only squids never build a digest, but never also no-query:
// squid would then never consult them.
const SIBLING_QUERY = {
  icp: (t: CacheTier) => ({ queryPort: t.icpPort, options: "proxy-only no-digest" }),
  htcp: (t: CacheTier) => ({ queryPort: t.htcpPort, options: "htcp proxy-only no-digest" }),
};

function address(topo: Topology, tier: CacheTier, squid: string): string {
  const r = squidAddress(topo, squid, tier.fronts);
  if (!r.ok) throw new Error(`unvalidated topology: ${squid} ${r.reason}`);
  return r.value;
}

/** The address a front connects from: its own on the squid's segment. */
function frontAddress(topo: Topology, front: string, squid: string, squidAddr: string): string {
  const seg = interfaces(topo.hosts[squid]).find((i) => i.address === squidAddr)!;
  return interfaces(topo.hosts[front]).find((i) => inSubnet(i.address, seg.address, seg.prefix))!.address;
}

export function renderCacheTier(topo: Topology, name: string): Record<string, HostFile[]> {
  const tier = topo.cacheTiers[name];
  const squids = [...tier.squids].sort().map((host) => ({ host, address: address(topo, tier, host) }));
  const out: Record<string, HostFile[]> = {};
  const add = (host: string, f: HostFile) => (out[host] ??= []).push(f);

  for (const self of squids) {
    const mode = tier.siblings;
    const peers = mode === "none" ? [] : squids.filter((s) => s.host !== self.host)
      .map((s) => ({ name: s.host, address: s.address, port: tier.squidPort, ...SIBLING_QUERY[mode](tier) }));
    add(self.host, file("squid", SQUID_CONF, template("squid.conf.hbs", {
      tier: name,
      host: self.host,
      squidPort: tier.squidPort,
      origin: tier.origin,
      memoryMB: tier.memoryMB,
      maxObjectKB: tier.maxObjectKB,
      fronts: [...new Set(tier.fronts.map((f) => frontAddress(topo, f, self.host, self.address)))].sort(),
      peers,
      peerAddresses: peers.map((p) => p.address),
      icpPort: mode === "icp" ? tier.icpPort : null,
      htcpPort: mode === "htcp" ? tier.htcpPort : null,
      extraConfig: tier.squidExtraConfig,
    })));
  }

  // A catch-all front must be the default server of its port; on port 80
  // Debian's stock default site already is, so it is replaced.
  const catchAll = tier.serverName === "_";
  for (const front of [...new Set(tier.fronts)].sort()) {
    add(front, file("nginx", frontConfPath(name), template("nginx-cache-front.conf.hbs", {
      tier: name,
      host: front,
      upstream: `dsas_cache_${name}`,
      servers: squids.map((s) => ({ host: s.host, address: `${s.address}:${tier.squidPort}` })),
      listen: catchAll ? `${tier.listenPort} default_server` : `${tier.listenPort}`,
      serverName: tier.serverName,
      extraConfig: tier.nginxExtraConfig,
    })));
    if (catchAll && tier.listenPort === 80) {
      add(front, file("nginx", NGINX_DEFAULT_SITE, template("nginx-default-site.hbs", { tier: name, conf: frontConfPath(name) })));
    }
  }
  return out;
}
