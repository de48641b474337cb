// The nginx fronts of a cache tier: an upstream of the tier's squids chosen
// by a consistent hash of the URI, so each object normally lives on one squid
// and adding one moves only about 1/N of them; a squid that fails is skipped
// for a while and its requests tried on the next. Checked with `nginx -t`,
// reloaded, one front at a time after the squids.
import type { CacheTierModel } from "../model/normalize.ts";
import { file, template, type HostFile } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const nginx: Service = { name: "nginx", phase: 80, needs: ["nginx:nginx-light"], rollout: "one host at a time" };

export const NGINX_DEFAULT_SITE = "/etc/nginx/sites-enabled/default";

const HOOKS = {
  check: "nginx -t -q",
  apply: "dsas-reload nginx",
  remove: "systemctl disable -q --now nginx",
  drift: "dsas-drift unit nginx",
};

export function frontConfPath(tier: string): string {
  return `/etc/nginx/conf.d/dsas-cache-${tier}.conf`;
}

export function nginxUnit(tier: CacheTierModel, host: string): UnitDraft {
  // A catch-all front must be the default server of its port; on port 80
  // Debian's stock default site already is, so it is replaced.
  const catchAll = tier.serverName === "_";
  const files: HostFile[] = [file(frontConfPath(tier.name), template("nginx-cache-front.conf.hbs", {
    tier: tier.name,
    host,
    upstream: `dsas_cache_${tier.name}`,
    servers: Object.entries(tier.squidAddresses).map(([s, address]) => ({ host: s, address: `${address}:${tier.squidPort}` })),
    failures: {
      ...tier.squidFailures,
      retryOn: tier.squidFailures.retryOn.length ? [...new Set(tier.squidFailures.retryOn)].join(" ") : "off",
    },
    listen: catchAll ? `${tier.listenPort} default_server` : `${tier.listenPort}`,
    serverName: tier.serverName,
    extraConfig: tier.nginxExtraConfig,
  }))];
  if (catchAll && tier.listenPort === 80) {
    files.push(file(NGINX_DEFAULT_SITE, template("nginx-default-site.hbs", { tier: tier.name, conf: frontConfPath(tier.name) })));
  }
  return { host, service: nginx, hooks: HOOKS, files };
}
