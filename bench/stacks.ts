// Generated stacks for the benchmarks: N hosts, one director pair per 50
// hosts, its real servers split between a NAT web pool with HTTP_GET checks
// and a DR MySQL pool with the replication check.

/** The stack file's content; `ssh` is merged into every host. */
export function stack(n: number, ssh?: object): { config: Record<string, any> } {
  const hosts: Record<string, object> = {};
  const directorPairs: Record<string, object> = {};
  const pools: Record<string, object> = {};
  for (let p = 0, left = n; left > 0; p++) {
    const size = Math.min(50, left);
    left -= size;
    const ext = `10.${p}.1`, int = `10.${p}.2`;
    hosts[`lv${p}a`] = { interfaces: { eth0: `${ext}.11/24`, eth1: `${int}.11/24` } };
    hosts[`lv${p}b`] = { interfaces: { eth0: `${ext}.12/24`, eth1: `${int}.12/24` } };
    const web: Record<string, object> = {}, db: Record<string, object> = {};
    for (let i = 0; i < size - 2; i++) {
      hosts[`rs${p}x${i}`] = { interfaces: { eth0: `${int}.${20 + i}/24` } };
      (i % 2 ? db : web)[`rs${p}x${i}`] = { weight: 1 + (i % 3) };
    }
    pools[`web${p}`] = { port: 80, realServers: web, checks: [{ type: "HTTP_GET", path: "/health" }] };
    pools[`db${p}`] = { port: 3306, realServers: db, checks: [{ type: "MYSQL_REPLICATION", password: { secret: "checkPw" } }] };
    directorPairs[`lb${p}`] = {
      master: `lv${p}a`, backup: `lv${p}b`,
      instances: {
        VI_EXT: { interface: "eth0", virtualRouterId: 31, virtualIps: [`${ext}.100`], authentication: { secret: "vrrpAuth" } },
        VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: [`${int}.10`, `${int}.5`], authentication: { secret: "vrrpAuth" } },
      },
      syncGroups: { VG: { instances: ["VI_EXT", "VI_INT"] } },
      virtualServers: {
        web: { vip: `${ext}.100`, port: 80, pool: `web${p}`, lbKind: "NAT", gateway: `${int}.10` },
        db: { vip: `${int}.5`, port: 3306, pool: `db${p}`, lbKind: "DR" },
      },
    };
  }
  if (ssh) for (const h of Object.values(hosts)) Object.assign(h, { ssh });
  return { config: { "dsas:topology": { hosts, directorPairs, pools }, "dsas:vrrpAuth": "benchPw1", "dsas:checkPw": "bench" } };
}
