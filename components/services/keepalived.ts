// keepalived on the two directors of a pair: keepalived.conf (VRRP and,
// unless the pair uses static rules, the checked virtual servers), the VRRP
// passwords in 0600 files it includes, the MySQL replication check and its
// credentials, and the drain list. Checked with `keepalived -t` against the
// new files, reloaded (never restarted) after a leaving real server drained.
import type { DirectorPairModel, HostModel } from "../model/normalize.ts";
import { interfaceOnSegmentOf } from "../model/resolve.ts";
import { MAINTENANCE_TRACK, type Check } from "../model/schema.ts";
import { file, LIBEXEC, program, secretToken, template, type HostFile } from "../plan/files.ts";
import { drainList, ipvsadmRules, sorryServers } from "./ipvsadm.ts";
import type { Service, UnitDraft } from "./service.ts";

export const keepalived: Service = { name: "keepalived", phase: 30, needs: ["keepalived:keepalived"], rollout: "one host at a time" };

export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";
export const SECRET_DIR = "/etc/keepalived/dsas";
export const MYSQL_CHECK = `${LIBEXEC}/mysql-replication-check`;
/** What dsas-drain reads before a real server leaves keepalived's table. */
export const DRAIN_LIST = `${SECRET_DIR}/drain.list`;

/** "1" while the stack puts the director in maintenance, else "0": keepalived's track_file, which it watches itself. */
export const MAINTENANCE_FILE = `${SECRET_DIR}/maintenance`;

/** The IPVS table keepalived.conf implies, with every real server in: what a refresh compares the kernel's with. */
export const IPVS_EXPECTED = `${SECRET_DIR}/ipvs.rules`;

/** The state each VRRP instance must reach after a change, before the other director is touched. */
export const GATE_FILE = `${SECRET_DIR}/gate`;
/** Seconds the predicted state may take after the first look (a preemption, keepalived adding its services). */
const GATE_WAIT_SECONDS = 30;

const HOOKS = {
  check: `keepalived -t -f ${KEEPALIVED_CONF}`,
  prepare: `dsas-gate before && dsas-drain ${DRAIN_LIST}`,
  apply: "dsas-reload keepalived",
  verify: `dsas-gate after ${GATE_FILE}`,
  remove: "systemctl disable -q --now keepalived",
  drift: "dsas-drift unit keepalived",
};

const q = (s: string) => JSON.stringify(s);

export function mysqlCredentialsPath(pool: string): string {
  return `${SECRET_DIR}/mysql-${pool}.cnf`;
}

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
    case "DNS_CHECK":
      return { type: c.type, url: null, options: [`type ${c.queryType}`, `name ${c.name}`, ...(c.port ? [`connect_port ${c.port}`] : []), ...retries(c)] };
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

type Notify = DirectorPairModel["instances"][string]["notify"];
function notifyLines(n: Notify): string[] {
  if (!n) return [];
  return [
    ...(n.master ? [`notify_master ${q(n.master)}`] : []),
    ...(n.backup ? [`notify_backup ${q(n.backup)}`] : []),
    ...(n.fault ? [`notify_fault ${q(n.fault)}`] : []),
    ...(n.stop ? [`notify_stop ${q(n.stop)}`] : []),
    ...(n.any ? [`notify ${q(n.any)}`] : []),
  ];
}

const sorted = <T>(r: Record<string, T>) => Object.entries(r).sort(([a], [b]) => a.localeCompare(b));

function conf(pair: DirectorPairModel, role: "master" | "backup", host: HostModel, peer: HostModel, authFile: (instance: string) => string): string {
  const instances = sorted(pair.instances).map(([name, inst]) => ({
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
    authFile: inst.authentication ? authFile(name) : null,
    garp: inst.garp,
    virtualIps: inst.virtualIps.map((vip) => `${vip}/${(interfaceOnSegmentOf(host, inst.virtualIps[0]) ?? { prefix: 32 }).prefix} dev ${inst.interface}`),
    trackInterfaces: inst.trackInterfaces,
    trackScripts: inst.trackScripts,
    trackFiles: inst.trackFiles,
    trackProcesses: inst.trackProcesses,
    notify: notifyLines(inst.notify),
    extraConfig: inst.extraConfig,
  }));
  return template("keepalived.conf.hbs", {
    pair: pair.name,
    role,
    maintenance: { name: MAINTENANCE_TRACK, file: MAINTENANCE_FILE },
    host: host.name,
    routerId: pair.routerIds ? host.name : null,
    scriptUser: pair.scriptUser,
    skipCheckAdvAddr: pair.skipCheckAdvAddr,
    reloadCheckConfig: pair.reloadCheckConfig,
    lvsSyncDaemon: pair.lvsSyncDaemon
      ? `${pair.lvsSyncDaemon.interface} ${pair.lvsSyncDaemon.instance}${pair.lvsSyncDaemon.syncId !== undefined ? ` id ${pair.lvsSyncDaemon.syncId}` : ""}`
      : null,
    extraGlobalConfig: pair.extraGlobalConfig,
    scripts: sorted(pair.scripts).map(([name, s]) => ({ name, ...s, timeout: s.timeout ?? s.interval })),
    // Numbers that may be 0 go as text, so that a 0 is written too.
    trackFiles: sorted(pair.trackFiles).map(([name, f]) => ({ name, file: f.file, weight: f.weight, initValue: f.initValue?.toString() ?? null })),
    trackProcesses: sorted(pair.trackProcesses).map(([name, p]) => ({
      name,
      process: [p.process, ...p.parameters].map((w) => q(w)).join(" "),
      // Without parameters, param_match would ask for a process with none.
      paramMatch: p.parameters.length && p.paramMatch !== "exact" ? p.paramMatch : null,
      weight: p.weight,
      quorum: p.quorum,
      quorumMax: p.quorumMax?.toString() ?? null,
      delay: p.delay?.toString() ?? null,
      fullCommand: p.fullCommand,
    })),
    syncGroups: sorted(pair.syncGroups).map(([name, g]) => ({ name, instances: g.instances, trackScripts: g.trackScripts, notify: notifyLines(g.notify) })),
    instances,
    virtualServers: pair.ipvs === "keepalived" ? sorted(pair.virtualServers).map(([, vs]) => ({
      name: vs.name,
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
      quorumUp: vs.quorumUp ?? null,
      quorumDown: vs.quorumDown ?? null,
      alpha: vs.alpha,
      omega: vs.omega,
      inhibitOnFailure: vs.inhibitOnFailure,
      sorryServer: vs.sorryServer ? `${vs.sorryServer.address} ${vs.sorryServer.port}` : null,
      sorryServerInhibit: vs.sorryServer?.inhibit ?? false,
      extraConfig: vs.extraConfig,
      realServers: vs.realServers.map((r) => ({
        host: r.host, address: r.address, port: r.port, weight: r.weight, delayLoop: r.delayLoop ?? null,
        checks: r.checks.map((c) => checkBlock(c, vs.pool, r.address, r.port)),
      })),
    })) : [],
  });
}

/** keepalived's unit on the pair's `role` director; `hosts` has both directors. */
export function keepalivedUnit(pair: DirectorPairModel, role: "master" | "backup", hosts: Readonly<Record<string, HostModel>>): UnitDraft {
  const host = hosts[pair[role]];
  const peer = hosts[pair[role === "master" ? "backup" : "master"]];
  const authFile = (instance: string) => `${SECRET_DIR}/auth-${instance}.conf`;
  const files: HostFile[] = [
    file(KEEPALIVED_CONF, conf(pair, role, host, peer, authFile)),
    file(MAINTENANCE_FILE, pair.maintenance === host.name ? "1\n" : "0\n"),
    file(GATE_FILE, gate(pair, role, host.name, peer.name)),
  ];
  for (const [name, inst] of sorted(pair.instances)) {
    if (inst.authentication) files.push(file(authFile(name), template("keepalived-auth.conf.hbs", { password: secretToken(inst.authentication.secret) })));
  }
  let hooks = HOOKS;
  if (pair.ipvs === "keepalived") {
    files.push(file(DRAIN_LIST, drainList(pair)));
    files.push(file(IPVS_EXPECTED, expectedTable(pair)));
    hooks = { ...HOOKS, verify: `${HOOKS.verify} ${IPVS_EXPECTED}`, drift: `${HOOKS.drift} && dsas-drift ipvs keepalived ${IPVS_EXPECTED}` };
    // One credentials file per pool checked by replication state; the check reads it, never argv.
    const mysql = new Map<string, Extract<Check, { type: "MYSQL_REPLICATION" }>>();
    for (const [, vs] of sorted(pair.virtualServers)) {
      const c = vs.checks.find((x) => x.type === "MYSQL_REPLICATION");
      if (c?.type === "MYSQL_REPLICATION" && !mysql.has(vs.pool)) mysql.set(vs.pool, c);
    }
    for (const [pool, c] of [...mysql].sort(([a], [b]) => a.localeCompare(b))) {
      files.push(file(mysqlCredentialsPath(pool), template("mysql-check.cnf.hbs", { user: c.user, password: secretToken(c.password.secret, "mysql-option") }),
        { owner: pair.scriptUser }));
    }
    if (mysql.size) files.push(file(MYSQL_CHECK, program("mysql-replication-check"), { mode: "0755", needs: "mysql:mariadb-client" }));
  }
  const handover = pair.lvsSyncDaemon && pair.handoverSyncSeconds > 0
    ? { handover: { peer: peer.name, file: MAINTENANCE_FILE, waitSeconds: pair.handoverSyncSeconds, gives: pair.maintenance === host.name } } : {};
  return { host: host.name, service: keepalived, hooks, files, ...handover };
}

/** The rules, and a "#sorry" line per sorry server, which keepalived adds only while its pool is down. */
function expectedTable(pair: DirectorPairModel): string {
  return ipvsadmRules(pair) + sorryServers(pair).map((s) => `#sorry ${s}\n`).join("");
}

/**
 * What keepalived on `host` must show once a change is applied: its instances FAULT while the
 * stack puts it in maintenance, else in its role's state at its role's priority. The prediction
 * does not follow the peer's maintenance, so a handover changes no file of the director that takes
 * the VIPs; dsas-gate takes MASTER on a backup that held the VIPs before the change. The first
 * look waits for the slowest tracked script or process to tell (its failures to count, its delay
 * to pass) and for three adverts.
 */
function gate(pair: DirectorPairModel, role: "master" | "backup", host: string, peer: string): string {
  const tracked = new Set([...Object.values(pair.instances).flatMap((i) => i.trackScripts), ...Object.values(pair.syncGroups).flatMap((g) => g.trackScripts)]);
  const scriptSeconds = [...tracked].map((name) => {
    const s = pair.scripts[name];
    return s.interval * s.fall + (s.timeout ?? s.interval);
  });
  const processSeconds = Object.values(pair.instances).flatMap((i) => i.trackProcesses).map((name) => (pair.trackProcesses[name].delay ?? 0) + 1);
  const advertSeconds = Object.values(pair.instances).map((i) => 3 * i.advertInt);
  return template("keepalived-gate.hbs", {
    pair: pair.name,
    host,
    peer,
    settle: Math.ceil(Math.max(2, ...scriptSeconds, ...processSeconds, ...advertSeconds)),
    wait: GATE_WAIT_SECONDS,
    instances: sorted(pair.instances).map(([name, inst]) => ({
      name,
      priority: inst.priority[role],
      state: pair.maintenance === host ? "FAULT" : role === "master" ? "MASTER" : "BACKUP",
      nopreempt: inst.nopreempt || inst.preemptDelay !== undefined,
    })),
  });
}
