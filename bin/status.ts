// dsas status: the live state of a stack, read from every host at once over
// one SSH connection each (the provider's `exec`, with the stack's pinning
// and login), from the daemons' own reports: keepalived's JSON dump, the
// kernel's IPVS table, /proc/drbd, squid's cache manager. What differs from
// what the stack means to run is named as a problem.
import type { Model } from "../components/model/normalize.ts";

/** What one host answered: its parts by name, or why it did not. */
export interface HostAnswer {
  readonly host: string;
  readonly parts?: Readonly<Record<string, string>>;
  readonly error?: string;
}

/** The parts of dsas-status each host is asked for, as its arguments. */
export function partsFor(model: Model): Map<string, string[]> {
  const parts = new Map<string, Map<string, string[]>>();
  const add = (host: string, part: string, ...args: string[]) => {
    const own = parts.get(host) ?? new Map([["addresses", []]]);
    own.set(part, args);
    parts.set(host, own);
  };
  for (const pair of Object.values(model.directorPairs)) for (const h of [pair.master, pair.backup]) { add(h, "keepalived"); add(h, "ipvs"); }
  for (const pair of [...Object.values(model.drbdPairs), ...Object.values(model.storagePairs)]) for (const h of Object.keys(pair.nodes)) add(h, "drbd");
  // squid's visible_hostname is its host's name in the stack.
  for (const tier of Object.values(model.cacheTiers)) for (const h of tier.squids) add(h, "squid", String(tier.squidPort), h);
  return new Map([...parts].map(([h, own]) => [h, [...own].flatMap(([part, args]) => [part, ...args])]));
}

/** dsas-status's output split at its "== PART" lines. */
export function sections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let part: string | undefined;
  for (const line of stdout.split("\n")) {
    const m = /^== (\S+)$/.exec(line);
    if (m) {
      part = m[1];
      out[part] = "";
    } else if (part !== undefined) out[part] += `${line}\n`;
  }
  return out;
}

const VRRP_STATES = ["INIT", "BACKUP", "MASTER", "FAULT"];

export interface VrrpInstance {
  readonly name: string;
  readonly state: string;
  readonly effectivePriority: number;
  readonly basePriority: number;
}

/** keepalived's JSON dump (SIGJSON): each instance's state and priorities. */
export function vrrpInstances(json: string): VrrpInstance[] {
  const data = JSON.parse(json) as { data: Record<string, unknown> }[];
  return data.map(({ data: d }) => ({
    name: String(d.iname),
    state: VRRP_STATES[Number(d.state)] ?? `state ${String(d.state)}`,
    effectivePriority: Number(d.effective_priority),
    basePriority: Number(d.base_priority),
  }));
}

export interface IpvsService {
  /** "TCP 10.10.31.100:80" */
  readonly service: string;
  readonly scheduler: string;
  readonly reals: { address: string; method: string; weight: number; active: number; inactive: number }[];
}

/** `ipvsadm -Ln`. */
export function ipvsTable(text: string): IpvsService[] {
  const out: { service: string; scheduler: string; reals: IpvsService["reals"] }[] = [];
  for (const line of text.split("\n")) {
    const svc = /^(TCP|UDP|FWM)\s+(\S+)\s+(\S+)/.exec(line);
    if (svc) {
      out.push({ service: `${svc[1]} ${svc[2]}`, scheduler: svc[3], reals: [] });
      continue;
    }
    const rs = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (rs && out.length) out.at(-1)!.reals.push({ address: rs[1], method: rs[2], weight: Number(rs[3]), active: Number(rs[4]), inactive: Number(rs[5]) });
  }
  return out;
}

export interface DrbdState {
  readonly minor: number;
  readonly connection: string;
  readonly role: string;
  readonly peerRole: string;
  readonly disk: string;
  readonly peerDisk: string;
  /** Percent done while a resync runs. */
  readonly synced?: number;
}

/** /proc/drbd (DRBD 8.4). */
export function drbdStates(text: string): DrbdState[] {
  const out: DrbdState[] = [];
  let last: { -readonly [K in keyof DrbdState]: DrbdState[K] } | undefined;
  for (const line of text.split("\n")) {
    const m = /^\s*(\d+): cs:(\S+) ro:([^/\s]+)\/(\S+) ds:([^/\s]+)\/(\S+)/.exec(line);
    if (m) {
      last = { minor: Number(m[1]), connection: m[2], role: m[3], peerRole: m[4], disk: m[5], peerDisk: m[6] };
      out.push(last);
      continue;
    }
    const s = /sync'ed:\s*([\d.]+)%/.exec(line);
    if (s && last) last.synced = Number(s[1]);
  }
  return out;
}

export interface SquidCounters {
  /** HTTP requests since squid started. */
  readonly received: number;
  /** The 5-minute request and byte hit ratios, in percent. */
  readonly requestHits: number;
  readonly byteHits: number;
}

/** squid's cache manager `info`. */
export function squidHits(text: string): SquidCounters | undefined {
  const received = /Number of HTTP requests received:\s*(\d+)/.exec(text);
  const req = /Hits as % of all requests:\s+5min:\s*(-?[\d.]+)%/.exec(text);
  const bytes = /Hits as % of bytes sent:\s+5min:\s*(-?[\d.]+)%/.exec(text);
  // squid 5.7 says -0.0% of bytes before its first hit.
  const percent = (m: RegExpExecArray) => Math.max(0, Number(m[1]));
  return received && req && bytes ? { received: Number(received[1]), requestHits: percent(req), byteHits: percent(bytes) } : undefined;
}

/** The IPv4 addresses a host holds, from `ip -o addr`. */
export function addresses(text: string): Set<string> {
  return new Set([...text.matchAll(/\sinet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]));
}

export interface Status {
  readonly directorPairs: Record<string, {
    master: string; backup: string;
    /** The director the stack put in maintenance. */
    maintenance?: string;
    vips: Record<string, string[]>;
    instances: Record<string, Record<string, VrrpInstance>>;
    ipvs: Record<string, IpvsService[]>;
    syncDaemon: Record<string, string>;
  }>;
  readonly drbd: Record<string, { kind: "DRBD pair" | "storage pair"; nodes: Record<string, DrbdState | undefined>; address?: Record<string, boolean> }>;
  readonly cacheTiers: Record<string, Record<string, SquidCounters | undefined>>;
  readonly unreachable: Record<string, string>;
  readonly problems: string[];
}

/** The stack's state from the hosts' answers, and its problems, each named for the operator. */
export function status(model: Model, answers: readonly HostAnswer[]): Status {
  const byHost = new Map(answers.map((a) => [a.host, a]));
  const problems: string[] = [];
  const unreachable: Record<string, string> = {};
  for (const a of answers) if (a.error) unreachable[a.host] = a.error;
  for (const h of Object.keys(unreachable).sort()) problems.push(`${h}: unreachable (${unreachable[h].split("\n")[0]})`);
  const part = (host: string, name: string) => byHost.get(host)?.parts?.[name];
  const held = (host: string) => addresses(part(host, "addresses") ?? "");

  const directorPairs: Status["directorPairs"] = {};
  for (const [name, pair] of Object.entries(model.directorPairs).sort(([a], [b]) => a.localeCompare(b))) {
    const hosts = [pair.master, pair.backup];
    const live = hosts.filter((h) => !unreachable[h]);
    const vips: Record<string, string[]> = {};
    for (const inst of Object.values(pair.instances)) for (const v of inst.virtualIps) vips[v] = live.filter((h) => held(h).has(v));
    const instances: Record<string, Record<string, VrrpInstance>> = {};
    const ipvs: Record<string, IpvsService[]> = {};
    const syncDaemon: Record<string, string> = {};
    for (const h of live) {
      const dump = part(h, "keepalived") ?? "";
      try {
        instances[h] = Object.fromEntries(vrrpInstances(dump).map((i) => [i.name, i]));
      } catch {
        problems.push(`${name}: keepalived on ${h} gave no state (${dump.trim().split("\n")[0] || "no dump"})`);
        instances[h] = {};
      }
      ipvs[h] = ipvsTable(part(h, "ipvs") ?? "");
      syncDaemon[h] = (part(h, "ipvs-daemon") ?? "").trim();
      // The director in maintenance faults its instances on purpose (its track_file).
      for (const [iname, inst] of Object.entries(instances[h])) if (inst.state === "FAULT" && h !== pair.maintenance) problems.push(`${name}: ${iname} is FAULT on ${h}`);
      if (pair.lvsSyncDaemon && !syncDaemon[h]) problems.push(`${name}: no connection sync daemon on ${h}`);
      else if (pair.lvsSyncDaemon) {
        // keepalived runs the master daemon where the sync instance is MASTER and the backup one where it is BACKUP.
        const { instance } = pair.lvsSyncDaemon;
        const peer = h === pair.master ? pair.backup : pair.master;
        const state = instances[h][instance]?.state;
        const runs = (role: string) => new RegExp(`^${role} sync daemon `, "m").test(syncDaemon[h]);
        if (state === "MASTER" && !runs("master")) problems.push(`${name}: ${h} is MASTER of ${instance} but runs no master sync daemon: the connections it forwards are not sent to ${peer}`);
        if (state === "BACKUP" && !runs("backup")) problems.push(`${name}: ${h} is BACKUP of ${instance} but runs no backup sync daemon: it does not receive ${peer}'s connections`);
      }
    }
    // Where the VIPs belong: on the master, unless the stack put it in maintenance.
    const away = pair.maintenance === pair.master ? pair.master : pair.backup;
    const misplaced = Object.entries(vips).filter(([, hs]) => hs.length === 1 && hs[0] === away).map(([v]) => v);
    if (misplaced.length) {
      problems.push(`${name}: VIPs on ${away === pair.maintenance ? `${away}, which is in maintenance` : `the backup ${away}`} (${misplaced.join(", ")})`);
    }
    for (const [v, hs] of Object.entries(vips)) {
      if (hs.length === 0 && live.length === hosts.length) problems.push(`${name}: VIP ${v} on neither director`);
      if (hs.length > 1) problems.push(`${name}: VIP ${v} on both directors`);
    }
    // The real servers the checkers took out, on the director that holds the service's VIP.
    for (const vs of Object.values(pair.virtualServers)) {
      const holder = vips[vs.vip]?.[0] ?? (live.includes(pair.master) ? pair.master : live[0]);
      if (!holder) continue;
      const svc = ipvs[holder]?.find((s) => s.service === `${vs.protocol} ${vs.vip}:${vs.port}`);
      if (!svc) {
        problems.push(`${name}: virtual service ${vs.protocol} ${vs.vip}:${vs.port} is not in ${holder}'s IPVS table`);
        continue;
      }
      const out = vs.realServers.filter((r) => !svc.reals.some((x) => x.address === `${r.address}:${r.port}`));
      if (out.length) problems.push(`${name}: ${vs.name} has ${out.map((r) => `${r.host} (${r.address}:${r.port})`).join(", ")} out of the table on ${holder}`);
    }
    directorPairs[name] = { master: pair.master, backup: pair.backup, ...(pair.maintenance ? { maintenance: pair.maintenance } : {}), vips, instances, ipvs, syncDaemon };
  }

  const drbd: Status["drbd"] = {};
  const pairs = [
    ...Object.values(model.drbdPairs).map((p) => ({ p, kind: "DRBD pair" as const, address: undefined })),
    ...Object.values(model.storagePairs).map((p) => ({ p, kind: "storage pair" as const, address: p.address })),
  ].sort((a, b) => a.p.name.localeCompare(b.p.name));
  for (const { p, kind, address } of pairs) {
    const nodes: Record<string, DrbdState | undefined> = {};
    for (const h of Object.keys(p.nodes).sort()) {
      if (unreachable[h]) continue;
      nodes[h] = drbdStates(part(h, "drbd") ?? "")[0];
      const s = nodes[h];
      if (!s) problems.push(`${p.name}: DRBD is not running on ${h}`);
      else if (s.connection === "StandAlone") problems.push(`${p.name}: StandAlone on ${h}, split brain?`);
      else if (s.synced !== undefined) problems.push(`${p.name}: ${s.connection} on ${h}, ${s.synced}% synced`);
      else if (s.connection !== "Connected") problems.push(`${p.name}: ${s.connection} on ${h}, its peer is not connected`);
      else if (s.disk !== "UpToDate") problems.push(`${p.name}: disk ${s.disk} on ${h}`);
    }
    const primaries = Object.entries(nodes).filter(([, s]) => s?.role === "Primary").map(([h]) => h);
    if (primaries.length > 1) problems.push(`${p.name}: Primary on both ${primaries.join(" and ")}`);
    const entry: Status["drbd"][string] = { kind, nodes };
    if (address) {
      entry.address = Object.fromEntries(Object.keys(nodes).map((h) => [h, held(h).has(address)]));
      const holders = Object.keys(entry.address).filter((h) => entry.address![h]);
      if (Object.keys(nodes).length === Object.keys(p.nodes).length) {
        if (!primaries.length) problems.push(`${p.name}: no Primary, the service is down`);
        if (!holders.length) problems.push(`${p.name}: the service address ${address} is on neither node`);
      }
      if (holders.length === 1 && primaries.length === 1 && holders[0] !== primaries[0]) problems.push(`${p.name}: the service address is on ${holders[0]} but ${primaries[0]} is Primary`);
    }
    drbd[p.name] = entry;
  }

  const cacheTiers: Status["cacheTiers"] = {};
  for (const [name, tier] of Object.entries(model.cacheTiers).sort(([a], [b]) => a.localeCompare(b))) {
    cacheTiers[name] = {};
    for (const h of tier.squids) {
      if (unreachable[h]) continue;
      cacheTiers[name][h] = squidHits(part(h, "squid") ?? "");
      if (!cacheTiers[name][h]) problems.push(`${name}: squid on ${h} does not answer its cache manager`);
    }
  }
  return { directorPairs, drbd, cacheTiers, unreachable, problems };
}

/** The readable table. */
export function table(s: Status): string {
  const lines: string[] = [];
  for (const [name, d] of Object.entries(s.directorPairs)) {
    lines.push(`director pair ${name} (master ${d.master}, backup ${d.backup}${d.maintenance ? `; ${d.maintenance} in maintenance` : ""})`);
    for (const [v, hs] of Object.entries(d.vips)) lines.push(`  VIP ${v.padEnd(16)} on ${hs.join(", ") || "neither"}`);
    for (const [h, insts] of Object.entries(d.instances)) {
      for (const i of Object.values(insts)) lines.push(`  ${h.padEnd(8)} ${i.name.padEnd(12)} ${i.state.padEnd(7)} priority ${i.effectivePriority} (base ${i.basePriority})`);
    }
    for (const [h, services] of Object.entries(d.ipvs)) {
      for (const svc of services) {
        lines.push(`  ${h.padEnd(8)} ${svc.service} ${svc.scheduler}`);
        for (const r of svc.reals) lines.push(`  ${"".padEnd(8)}   -> ${r.address.padEnd(21)} ${r.method.padEnd(7)} weight ${r.weight}  active ${r.active}  inactive ${r.inactive}`);
      }
      if (d.syncDaemon[h]) lines.push(`  ${h.padEnd(8)} ${d.syncDaemon[h].split("\n").join("; ")}`);
    }
  }
  for (const [name, p] of Object.entries(s.drbd)) {
    lines.push(`${p.kind} ${name}`);
    for (const [h, st] of Object.entries(p.nodes)) {
      const addr = p.address ? (p.address[h] ? "  service address here" : "") : "";
      lines.push(`  ${h.padEnd(8)} ${st ? `${st.role}/${st.peerRole} ${st.disk}/${st.peerDisk} ${st.connection}${st.synced !== undefined ? ` ${st.synced}%` : ""}` : "not running"}${addr}`);
    }
  }
  for (const [name, squids] of Object.entries(s.cacheTiers)) {
    lines.push(`cache tier ${name}`);
    for (const [h, hits] of Object.entries(squids)) lines.push(`  ${h.padEnd(8)} ${hits ? `${hits.received} requests; hits (5 min): ${hits.requestHits}% of requests, ${hits.byteHits}% of bytes` : "no answer"}`);
  }
  lines.push(s.problems.length ? `problems:\n${s.problems.map((p) => `  ${p}`).join("\n")}` : "no problems");
  return `${lines.join("\n")}\n`;
}
