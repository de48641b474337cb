// Limits of the daemons the stack is deployed to (Debian bookworm's), which
// their own checkers would only find on the host, before every change.
// keepalived 2.2.7's config test (keepalived -t, which dsas-apply runs before
// each swap) stops itself when it checks a script as a user other than root:
// check_script_secure() (lib/notify.c) switches to that user and back, then
// finds no parent of the keepalived it expects and sends itself SIGTERM. So a
// pair whose keepalived checks scripts (notify scripts, tracked vrrp_scripts,
// quorum scripts, MISC_CHECK and the MySQL replication check) must run them as root.
import type { Topology } from "./schema.ts";
import type { Report } from "./validate.ts";

export function limitsCheck(t: Topology, report: Report): void {
  for (const [pn, pair] of Object.entries(t.directorPairs)) {
    if (pair.scriptUser === "root") continue;
    const notify = (what: string, n?: Record<string, string | undefined>) => Object.entries(n ?? {}).filter(([, v]) => v).map(([k]) => `${what}.notify.${k}`);
    const scripts = [
      ...Object.entries(pair.instances).flatMap(([i, inst]) => [...notify(`instances.${i}`, inst.notify), ...inst.trackScripts.map((_, k) => `instances.${i}.trackScripts[${k}]`)]),
      ...Object.entries(pair.syncGroups).flatMap(([g, grp]) => [...notify(`syncGroups.${g}`, grp.notify), ...grp.trackScripts.map((_, k) => `syncGroups.${g}.trackScripts[${k}]`)]),
    ].map((p) => `directorPairs.${pn}.${p}`);
    if (pair.ipvs === "keepalived") {
      const runs = (c: { type: string }) => c.type === "MISC_CHECK" || c.type === "MYSQL_REPLICATION";
      for (const [vn, vs] of Object.entries(pair.virtualServers)) {
        for (const q of ["quorumUp", "quorumDown"] as const) if (vs[q]) scripts.push(`directorPairs.${pn}.virtualServers.${vn}.${q}`);
        const pool = t.pools[vs.pool];
        (pool?.checks ?? []).forEach((c, k) => { if (runs(c)) scripts.push(`pools.${vs.pool}.checks[${k}]`); });
        for (const [h, rs] of Object.entries(pool?.realServers ?? {})) {
          (rs.checks ?? []).forEach((c, k) => { if (runs(c)) scripts.push(`pools.${vs.pool}.realServers.${h}.checks[${k}]`); });
        }
      }
    }
    if (scripts.length) {
      report(["directorPairs", pn, "scriptUser"],
        `is '${pair.scriptUser}', but keepalived 2.2.7's config test (keepalived -t, which dsas-apply runs before each change) stops itself when it checks a script as a user other than root, so this pair's scripts (${[...new Set(scripts)].join(", ")}) could never be deployed; use root`);
    }
  }
}
