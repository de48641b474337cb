// Files for the two directors of a pair: keepalived.conf (VRRP and, unless the
// pair uses static rules, the checked virtual servers), secrets in 0600 files
// it includes, the MySQL replication check, kernel settings, and for a static
// pair the ipvsadm rules.
import { interfaceOnSegmentOf, realServerAddress } from "../model/resolve.ts";
import type { Check, DirectorPair, Topology, VirtualServer } from "../model/schema.ts";
import { file, LIBEXEC, template, type HostFile, type SecretValues } from "./files.ts";
import { drainList, ipvsadmRules } from "./ipvsadm.ts";

export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const SECRET_DIR = "/etc/keepalived/dsas";
export const MYSQL_CHECK = `${LIBEXEC}/mysql-replication-check`;
/** What dsas-apply drains before a real server leaves the table, for keepalived and for static rules. */
export const DRAIN_LIST = { keepalived: `${SECRET_DIR}/drain.list`, ipvsadm: "/etc/ipvsadm.drain" } as const;

const q = (s: string) => JSON.stringify(s);

function checkBlock(c: Check, pool: string, address: string, port: number) {
  const retries = (x: { connectTimeout: number; retry: number; delayBeforeRetry: number }) =>
    [`connect_timeout ${x.connectTimeout}`, `retry ${x.retry}`, `delay_before_retry ${x.delayBeforeRetry}`];
  switch (c.type) {
    case "HTTP_GET":
    case "SSL_GET":
      return {
        type: c.type,
        url: { path: c.path, statusCode: c.statusCode, digest: c.digest ?? null },
        options: [...(c.port ? [`connect_port ${c.port}`] : []), ...(c.virtualHost ? [`virtualhost ${c.virtualHost}`] : []), ...retries(c)],
      };
    case "TCP_CHECK":
      return { type: c.type, url: null, options: [...(c.port ? [`connect_port ${c.port}`] : []), ...retries(c)] };
    case "SMTP_CHECK":
      return { type: c.type, url: null, options: [`helo_name ${c.helo}`, ...retries(c)] };
    case "MISC_CHECK":
      return { type: c.type, url: null, options: [`misc_path ${q(c.command)}`, `misc_timeout ${c.timeout}`] };
    case "MYSQL_REPLICATION":
      return {
        type: "MISC_CHECK",
        url: null,
        options: [`misc_path ${q(`${MYSQL_CHECK} ${mysqlCredentialsPath(pool)} ${address} ${port} ${c.maxLagSeconds}`)}`, `misc_timeout ${c.timeout}`],
      };
  }
}

/** A double-quoted MySQL option-file value; a newline cannot be quoted there. */
function optionFileValue(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`secret '${name}' contains a line break, which a MySQL option file cannot hold`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** keepalived reads auth_pass as one word and silently truncates it to 8 characters. */
function vrrpPassword(name: string, value: string): string {
  if (!/^[\x21-\x7e]{1,8}$/.test(value)) throw new Error(`secret '${name}' must be 1..8 printable characters without spaces for VRRP PASS authentication`);
  return value;
}

export function mysqlCredentialsPath(pool: string): string {
  return `${SECRET_DIR}/mysql-${pool}.cnf`;
}

function notifyLines(n: DirectorPair["instances"][string]["notify"]): string[] {
  if (!n) return [];
  return [
    ...(n.master ? [`notify_master ${q(n.master)}`] : []),
    ...(n.backup ? [`notify_backup ${q(n.backup)}`] : []),
    ...(n.fault ? [`notify_fault ${q(n.fault)}`] : []),
    ...(n.stop ? [`notify_stop ${q(n.stop)}`] : []),
    ...(n.any ? [`notify ${q(n.any)}`] : []),
  ];
}

function virtualServerView(topo: Topology, pair: DirectorPair, name: string, vs: VirtualServer) {
  const pool = topo.pools[vs.pool];
  return {
    name,
    pool: vs.pool,
    vip: vs.vip,
    port: vs.port,
    delayLoop: vs.delayLoop,
    lbAlgo: vs.lbAlgo,
    lbKind: vs.lbKind,
    protocol: vs.protocol,
    persistenceTimeout: vs.persistenceTimeout || null,
    quorum: vs.quorum ?? null,
    hysteresis: vs.hysteresis ?? null,
    sorryServer: vs.sorryServer ? `${vs.sorryServer.address} ${vs.sorryServer.port}` : null,
    extraConfig: vs.extraConfig,
    realServers: Object.entries(pool.realServers).sort(([a], [b]) => a.localeCompare(b)).map(([host, rs]) => {
      const r = realServerAddress(topo, pair, vs, host);
      if (!r.ok) throw new Error(`unvalidated topology: ${host} ${r.reason}`);
      return { host, address: r.value, port: pool.port, weight: rs.weight, checks: pool.checks.map((c) => checkBlock(c, vs.pool, r.value, pool.port)) };
    }),
  };
}

export function renderDirectorPair(topo: Topology, pairName: string, secrets: SecretValues): Record<string, HostFile[]> {
  const pair = topo.directorPairs[pairName];
  const out: Record<string, HostFile[]> = {};
  const virtualServers = Object.entries(pair.virtualServers).sort(([a], [b]) => a.localeCompare(b));
  const checkedPools = pair.ipvs === "keepalived" ? [...new Set(virtualServers.map(([, vs]) => vs.pool))].sort() : [];
  const mysqlPools = checkedPools.filter((p) => topo.pools[p].checks.some((c) => c.type === "MYSQL_REPLICATION"));

  for (const role of ["backup", "master"] as const) {
    const hostName = pair[role];
    const host = topo.hosts[hostName];
    const peer = topo.hosts[role === "master" ? pair.backup : pair.master];
    const files: HostFile[] = [];
    const instances = Object.entries(pair.instances).sort(([a], [b]) => a.localeCompare(b)).map(([name, inst]) => {
      const own = interfaceOnSegmentOf(host, inst.virtualIps[0]) ?? { address: "", prefix: 32 };
      const prefix = own.prefix;
      if (inst.authentication) {
        files.push(file("keepalived", `${SECRET_DIR}/auth-${name}.conf`,
          template("keepalived-auth.conf.hbs", { password: vrrpPassword(inst.authentication.secret, secrets(inst.authentication.secret)) }),
          { secret: true }));
      }
      return {
        name,
        // keepalived ignores nopreempt and preempt_delay unless both start as BACKUP.
        state: role === "master" && !inst.nopreempt && inst.preemptDelay === undefined ? "MASTER" : "BACKUP",
        interface: inst.interface,
        virtualRouterId: inst.virtualRouterId,
        priority: inst.priority[role],
        advertInt: inst.advertInt,
        version3: inst.vrrpVersion === 3,
        nopreempt: inst.nopreempt,
        preemptDelay: inst.preemptDelay ?? null,
        unicastSrc: host.interfaces[inst.interface].split("/")[0],
        unicastPeer: inst.unicast ? peer.interfaces[inst.interface].split("/")[0] : null,
        authFile: inst.authentication ? `${SECRET_DIR}/auth-${name}.conf` : null,
        garp: inst.garp,
        virtualIps: inst.virtualIps.map((vip) => `${vip}/${prefix} dev ${inst.interface}`),
        trackInterfaces: inst.trackInterfaces,
        trackScripts: inst.trackScripts,
        notify: notifyLines(inst.notify),
        extraConfig: inst.extraConfig,
      };
    });
    const view = {
      pair: pairName,
      role,
      host: hostName,
      routerId: pair.routerIds ? hostName : null,
      scriptUser: pair.scriptUser,
      skipCheckAdvAddr: pair.skipCheckAdvAddr,
      reloadCheckConfig: pair.reloadCheckConfig,
      lvsSyncDaemon: pair.lvsSyncDaemon
        ? `${pair.lvsSyncDaemon.interface} ${pair.lvsSyncDaemon.instance}${pair.lvsSyncDaemon.syncId !== undefined ? ` id ${pair.lvsSyncDaemon.syncId}` : ""}`
        : null,
      extraGlobalConfig: pair.extraGlobalConfig,
      scripts: Object.entries(pair.scripts).sort(([a], [b]) => a.localeCompare(b))
        .map(([name, s]) => ({ name, ...s, timeout: s.timeout ?? s.interval })),
      syncGroups: Object.entries(pair.syncGroups).sort(([a], [b]) => a.localeCompare(b))
        .map(([name, g]) => ({ name, instances: g.instances, trackScripts: g.trackScripts, notify: notifyLines(g.notify) })),
      instances,
      virtualServers: pair.ipvs === "keepalived" ? virtualServers.map(([n, vs]) => virtualServerView(topo, pair, n, vs)) : [],
    };
    files.push(file("keepalived", KEEPALIVED_CONF, template("keepalived.conf.hbs", view)));
    if (pair.ipvs === "keepalived") files.push(file("keepalived", DRAIN_LIST.keepalived, drainList(topo, pairName)));

    for (const p of mysqlPools) {
      const c = topo.pools[p].checks.find((x) => x.type === "MYSQL_REPLICATION")!;
      if (c.type !== "MYSQL_REPLICATION") continue;
      files.push(file("keepalived", mysqlCredentialsPath(p),
        template("mysql-check.cnf.hbs", { user: c.user, password: optionFileValue(c.password.secret, secrets(c.password.secret)) }),
        { secret: true, owner: pair.scriptUser }));
    }
    if (mysqlPools.length) {
      files.push(file("keepalived", MYSQL_CHECK, template("mysql-replication-check.sh.hbs", {}), { mode: "0755", needs: "mysql:mariadb-client" }));
    }

    const nat = virtualServers.some(([, vs]) => vs.lbKind === "NAT");
    const schedulers = [...new Set(virtualServers.map(([, vs]) => vs.lbAlgo))].sort();
    files.push(file("director", "/etc/sysctl.d/60-dsas-director.conf", template("director-sysctl.conf.hbs", { pair: pairName, nat })));
    files.push(file("director", "/etc/modules-load.d/dsas-ipvs.conf", template("director-modules.conf.hbs", { pair: pairName, schedulers })));
    if (pair.ipvs === "static") {
      files.push(file("ipvsadm", "/etc/ipvsadm.rules", ipvsadmRules(topo, pairName)));
      files.push(file("ipvsadm", "/etc/default/ipvsadm", template("ipvsadm-default.hbs", { pair: pairName })));
      files.push(file("ipvsadm", DRAIN_LIST.ipvsadm, drainList(topo, pairName)));
    }
    out[hostName] = files;
  }
  return out;
}

