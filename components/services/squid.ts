// A memory-only squid accelerator on each squid node of a cache tier: no
// cache_dir, objects in cache_mem alone, the origin as parent, the other
// squids as siblings asked by ICP or HTCP. Checked with `squid -k parse`,
// reloaded by `squid -k reconfigure` (the unit's reload), one node at a time.
import type { CacheTierModel } from "../model/normalize.ts";
import { file, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const squid: Service = { name: "squid", phase: 70, needs: ["squid:squid"], rollout: "one host at a time" };

export const SQUID_CONF = "/etc/squid/squid.conf";

const HOOKS = {
  check: `squid -k parse -f ${SQUID_CONF}`,
  apply: "dsas-reload squid",
  remove: "systemctl disable -q --now squid",
  drift: "dsas-drift unit squid",
};

// How a sibling is asked whether it holds an object. They are no-digest,
// since memory-only squids never build a digest, but never also no-query:
// squid would then never consult them.
const SIBLING_QUERY = {
  icp: (t: CacheTierModel) => ({ queryPort: t.icpPort, options: "proxy-only no-digest" }),
  htcp: (t: CacheTierModel) => ({ queryPort: t.htcpPort, options: "htcp proxy-only no-digest" }),
};

export function squidUnit(tier: CacheTierModel, host: string): UnitDraft {
  const mode = tier.siblings;
  const peers = mode === "none" ? [] : Object.entries(tier.squidAddresses).filter(([s]) => s !== host)
    .map(([s, address]) => ({ name: s, address, port: tier.squidPort, ...SIBLING_QUERY[mode](tier) }));
  const conf = template("squid.conf.hbs", {
    tier: tier.name,
    host,
    squidPort: tier.squidPort,
    origin: tier.origin,
    memoryMB: tier.memoryMB,
    maxObjectKB: tier.maxObjectKB,
    fronts: tier.frontAddresses[host],
    peers,
    peerAddresses: peers.map((p) => p.address),
    icpPort: mode === "icp" ? tier.icpPort : null,
    htcpPort: mode === "htcp" ? tier.htcpPort : null,
    extraConfig: tier.squidExtraConfig,
  });
  return { host, service: squid, hooks: HOOKS, files: [file(SQUID_CONF, conf)] };
}
