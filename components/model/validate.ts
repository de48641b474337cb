// Cross-field rules and the one entry point that turns raw stack config into a
// checked Topology, or a list of messages that name the field path.
import { z } from "zod";
import { inSubnet, networkOf, parseCidr } from "./net.ts";
import { addressCheck } from "./addresses.ts";
import { failoverCheck } from "./failover.ts";
import { limitsCheck } from "./limits.ts";
import { drbdAddress, realServerAddress, realServerNets, squidAddress, vipsOf } from "./resolve.ts";
import { checkStoragePairs } from "./storage-checks.ts";
import { MAINTENANCE_TRACK, topology, type SecretKind, type Topology } from "./schema.ts";

export type Path = (string | number)[];
export type Report = (path: Path, message: string) => void;

function crossCheck(t: Topology, report: Report): void {
  const vrids = new Map<string, string>();
  for (const [pn, pair] of Object.entries(t.directorPairs)) {
    const at = (...p: Path): Path => ["directorPairs", pn, ...p];
    const directors = [pair.master, pair.backup];
    for (const role of ["master", "backup"] as const) {
      if (!t.hosts[pair[role]]) report(at(role), `names host '${pair[role]}', which is not defined under hosts`);
    }
    if (pair.master === pair.backup) report(at("backup"), `must differ from master, got '${pair.backup}' for both`);
    if (pair.maintenance !== undefined && !directors.includes(pair.maintenance)) {
      report(at("maintenance"), `must be one of the pair's directors, '${pair.master}' or '${pair.backup}', got '${pair.maintenance}'`);
    }
    const hosts = directors.map((d) => t.hosts[d]).filter((h) => h !== undefined);
    if (hosts.length < 2 || pair.master === pair.backup) continue;

    if (pair.trackFiles[MAINTENANCE_TRACK]) report(at("trackFiles", MAINTENANCE_TRACK), `must not be named '${MAINTENANCE_TRACK}', the track file of dsas-kit's maintenance`);
    for (const [tn, tp] of Object.entries(pair.trackProcesses)) {
      const tpp = (...p: Path) => at("trackProcesses", tn, ...p);
      // keepalived matches the name against /proc/PID/comm, which the kernel cuts at 15 bytes and which holds no path.
      if (!tp.fullCommand && tp.parameters.length === 0) {
        if (tp.process.includes("/")) report(tpp("process"), `must be a process name without '/', as /proc/PID/comm has it (for example 'haproxy'), or give parameters or fullCommand: true to match the command line, got '${tp.process}'`);
        else if (Buffer.byteLength(tp.process) > 15) report(tpp("process"), `must be at most 15 bytes, as long as a process name in /proc/PID/comm can be ('${tp.process.slice(0, 15)}' is how '${tp.process}' shows there); give parameters or fullCommand: true to match the command line`);
      }
      if (tp.paramMatch !== "exact" && tp.parameters.length === 0) report(tpp("paramMatch"), `'${tp.paramMatch}' needs parameters to match`);
      if (tp.quorumMax !== undefined && tp.quorumMax < tp.quorum) report(tpp("quorumMax"), `must be at least quorum (${tp.quorum}), got ${tp.quorumMax}: no count of processes would be OK`);
    }

    const grouped = new Map<string, string>();
    for (const [gn, g] of Object.entries(pair.syncGroups)) {
      g.instances.forEach((inst, i) => {
        if (!pair.instances[inst]) report(at("syncGroups", gn, "instances", i), `names instance '${inst}', which is not defined under instances`);
        else if (grouped.has(inst)) report(at("syncGroups", gn, "instances", i), `'${inst}' is already in sync group '${grouped.get(inst)}'; an instance belongs to one group`);
        else grouped.set(inst, gn);
      });
      g.trackScripts.forEach((s, i) => {
        if (!pair.scripts[s]) report(at("syncGroups", gn, "trackScripts", i), `names script '${s}', which is not defined under scripts`);
      });
    }

    for (const [iname, inst] of Object.entries(pair.instances)) {
      const ip = (...p: Path) => at("instances", iname, ...p);
      const ifaces = directors.map((d) => ({ d, addr: t.hosts[d].interfaces[inst.interface] }));
      const missing = ifaces.filter((x) => x.addr === undefined).map((x) => x.d);
      if (missing.length) {
        report(ip("interface"), `'${inst.interface}' is not an interface of ${missing.join(" and ")}`);
        continue;
      }
      const [a, b] = ifaces.map((x) => parseCidr(x.addr!)!);
      if (!inSubnet(b.address, a.address, a.prefix)) {
        report(ip("interface"), `'${inst.interface}' puts ${pair.master} (${a.address}/${a.prefix}) and ${pair.backup} (${b.address}/${b.prefix}) on different segments; VRRP needs them on one`);
      }
      inst.virtualIps.forEach((vip, i) => {
        if (!inSubnet(vip, a.address, a.prefix)) {
          report(ip("virtualIps", i), `${vip} is outside ${inst.interface}'s subnet ${networkOf(a.address, a.prefix)}/${a.prefix}`);
        }
      });
      const segment = `${networkOf(a.address, a.prefix)}/${a.prefix} vrid ${inst.virtualRouterId}`;
      const prior = vrids.get(segment);
      if (prior) report(ip("virtualRouterId"), `${inst.virtualRouterId} is already used on segment ${networkOf(a.address, a.prefix)}/${a.prefix} by ${prior}; VRIDs must be unique per segment`);
      else vrids.set(segment, `directorPairs.${pn}.instances.${iname}`);
      if (inst.priority.master <= inst.priority.backup) {
        report(ip("priority", "master"), `must be greater than priority.backup (${inst.priority.backup}), got ${inst.priority.master}`);
      }
      if (inst.vrrpVersion === 2 && !Number.isInteger(inst.advertInt)) {
        report(ip("advertInt"), `must be whole seconds with vrrpVersion 2 (sub-second adverts need vrrpVersion 3), got ${inst.advertInt}`);
      }
      if (inst.vrrpVersion === 3 && inst.authentication) {
        report(ip("authentication"), `must not be set with vrrpVersion 3, which has no authentication`);
      }
      inst.trackScripts.forEach((s, i) => {
        if (!pair.scripts[s]) report(ip("trackScripts", i), `names script '${s}', which is not defined under scripts`);
        else if (grouped.has(iname) && pair.scripts[s].weight !== 0) {
          report(ip("trackScripts", i), `names script '${s}' with weight ${pair.scripts[s].weight}, which keepalived ignores in sync group '${grouped.get(iname)}'; give it weight 0 (fault the group)`);
        }
      });
      for (const [field, defined, what] of [["trackFiles", pair.trackFiles, "track file"], ["trackProcesses", pair.trackProcesses, "track process"]] as const) {
        inst[field].forEach((n, i) => {
          const d = defined[n];
          if (!d) report(ip(field, i), `names ${what} '${n}', which is not defined under ${field}`);
          else if (grouped.has(iname) && d.weight !== 0) {
            report(ip(field, i), `names ${what} '${n}' with weight ${d.weight}, which keepalived ignores in sync group '${grouped.get(iname)}'; give it weight 0 (fault the group)`);
          }
        });
      }
      inst.trackInterfaces.forEach((tif, i) => {
        const lacking = directors.filter((d) => t.hosts[d].interfaces[tif] === undefined);
        if (lacking.length) report(ip("trackInterfaces", i), `'${tif}' is not an interface of ${lacking.join(" and ")}`);
      });
      if (inst.nopreempt && inst.preemptDelay !== undefined) {
        report(ip("preemptDelay"), `contradicts nopreempt: true; set one of them`);
      }
    }

    if (pair.lvsSyncDaemon) {
      const s = pair.lvsSyncDaemon;
      if (!pair.instances[s.instance]) report(at("lvsSyncDaemon", "instance"), `names instance '${s.instance}', which is not defined under instances`);
      const lacking = directors.filter((d) => t.hosts[d].interfaces[s.interface] === undefined);
      if (lacking.length) report(at("lvsSyncDaemon", "interface"), `'${s.interface}' is not an interface of ${lacking.join(" and ")}`);
    }

    const vips = new Set(vipsOf(pair).map((v) => v.vip));
    const services = new Map<string, string>();
    for (const [vn, vs] of Object.entries(pair.virtualServers)) {
      const vp = (...p: Path) => at("virtualServers", vn, ...p);
      if (!vips.has(vs.vip)) report(vp("vip"), `${vs.vip} is not a VIP of this director pair (${[...vips].join(", ")})`);
      const key = `${vs.protocol} ${vs.vip}:${vs.port}`;
      if (services.has(key)) report(vp("port"), `${key} is already served by virtual server '${services.get(key)}'`);
      else services.set(key, vn);
      const pool = t.pools[vs.pool];
      if (!pool) {
        report(vp("pool"), `names pool '${vs.pool}', which is not defined under pools`);
        continue;
      }
      if (vs.lbKind !== "NAT" && pool.port !== vs.port) {
        report(vp("port"), `must equal pool '${vs.pool}' port ${pool.port} for ${vs.lbKind}, which cannot change the port, got ${vs.port}`);
      }
      if (vs.hysteresis !== undefined && vs.quorum === undefined) report(vp("hysteresis"), `needs quorum`);
      for (const rs of Object.keys(pool.realServers)) {
        if (!t.hosts[rs]) continue; // reported once, under pools
        if (directors.includes(rs)) {
          report(["pools", vs.pool, "realServers", rs], `is a director of pair '${pn}'; a director cannot be its own real server`);
          continue;
        }
        const r = realServerAddress(t, pair, vs, rs);
        if (!r.ok) report(["pools", vs.pool, "realServers", rs], `${r.reason} (virtual server directorPairs.${pn}.virtualServers.${vn}, ${vs.lbKind})`);
      }
    }
  }

  for (const [pn, pool] of Object.entries(t.pools)) {
    for (const rs of Object.keys(pool.realServers)) {
      if (!t.hosts[rs]) report(["pools", pn, "realServers", rs], `is not a host defined under hosts`);
    }
    const checkedBy = Object.entries(t.directorPairs).find(([, pair]) => pair.ipvs === "keepalived"
      && Object.values(pair.virtualServers).some((vs) => vs.pool === pn));
    const unchecked = `must have at least one health check: director pair '${checkedBy?.[0]}' serves this pool with keepalived's checkers`;
    const own = Object.entries(pool.realServers).filter(([, rs]) => rs.checks !== undefined);
    if (checkedBy && pool.checks.length === 0 && own.length < Object.keys(pool.realServers).length) report(["pools", pn, "checks"], unchecked);
    for (const [h, rs] of own) {
      if (checkedBy && rs.checks!.length === 0) report(["pools", pn, "realServers", h, "checks"], unchecked);
    }
  }
  for (const [host, net] of realServerNets(t)) {
    if (net.gateways.length > 1) {
      report(["hosts", host], `is a NAT real server of services that need different default gateways (${net.gateways.join(", ")}): ${net.sources.join("; ")}`);
    }
  }

  const drbdPorts = new Map<string, string>();
  for (const [dn, d] of Object.entries(t.drbdPairs)) {
    const at = (...p: Path): Path => ["drbdPairs", dn, ...p];
    const names = Object.keys(d.nodes);
    if (!names.includes(d.initialSyncSource)) {
      report(at("initialSyncSource"), `must be one of the pair's nodes (${names.join(", ")}), got '${d.initialSyncSource}'`);
    }
    if (names.length !== 2) continue;
    const addrs: string[] = [];
    for (const n of names) {
      const r = drbdAddress(t, d.nodes, n);
      if (!r.ok) report(at("nodes", n), r.reason);
      else addrs.push(r.value);
      for (const k of [`${n} port ${d.port}`, `${n} device ${d.device}`]) {
        if (drbdPorts.has(k)) report(at(k.includes("port") ? "port" : "device"), `${k.split(" ").slice(1).join(" ")} on ${n} is already used by DRBD pair '${drbdPorts.get(k)}'`);
        else drbdPorts.set(k, dn);
      }
    }
    if (addrs.length === 2 && addrs[0] === addrs[1]) report(at("nodes"), `both nodes use ${addrs[0]}; each must use its own address`);
  }

  for (const [cn, c] of Object.entries(t.cacheTiers)) {
    const at = (...p: Path): Path => ["cacheTiers", cn, ...p];
    c.fronts.forEach((f, i) => { if (!t.hosts[f]) report(at("fronts", i), `names host '${f}', which is not defined under hosts`); });
    c.squids.forEach((s, i) => {
      const r = squidAddress(t, s, c.fronts);
      if (!r.ok && c.fronts.every((f) => t.hosts[f])) report(at("squids", i), `'${s}' ${r.reason}`);
    });
    if (c.siblings !== "none" && c.squids.length < 2) report(at("siblings"), `is '${c.siblings}' but there is only one squid; siblings need at least two`);
    c.squidExtraConfig.forEach((line, i) => {
      if (/^\s*cache_dir\b/.test(line)) report(at("squidExtraConfig", i), `sets a cache_dir; squid nodes cache in memory only`);
      if (/^\s*cache_peer\s+\S+\s+sibling\b/.test(line) && /\bno-query\b/.test(line) && /\bno-digest\b/.test(line)) {
        report(at("squidExtraConfig", i), `declares a sibling with no-query and no-digest, which squid never consults; use siblings: icp or htcp`);
      }
    });
  }
}

export const stackSchema = topology.superRefine((t, ctx) => {
  const report: Report = (path, message) => ctx.addIssue({ code: "custom", path, message });
  crossCheck(t, report);
  addressCheck(t, report);
  failoverCheck(t, report);
  limitsCheck(t, report);
  checkStoragePairs(t, report);
});

export class TopologyError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`the stack's topology is invalid:\n  ${problems.join("\n  ")}`);
    this.name = "TopologyError";
    this.problems = problems;
  }
}

// A key that is not a name is shown quoted, so a message stays one line.
function pathText(root: string, path: PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]`
    : /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(String(k)) ? `${s}.${String(k)}` : `${s}[${JSON.stringify(String(k))}]`), root);
}

function shown(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "nothing" : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_union": {
      // A value of the right type that one branch refuses for a reason of its own ("internal" or a path): that reason.
      const own = issue.errors.filter((e) => e.length > 0 && e.every((i) => i.code !== "invalid_type" && i.code !== "invalid_value"));
      if (own.length === 1) return describeIssue({ ...own[0][0], input: issue.input } as z.core.$ZodIssue);
      return issue.input !== undefined && typeof issue.input !== "object" ? `${issue.message}, got ${shown(issue.input)}` : issue.message;
    }
    case "invalid_key":
      // A map's key: what its own schema says of it.
      return describeIssue({ ...issue.issues[0], input: issue.input } as z.core.$ZodIssue);
    case "unrecognized_keys":
      return `has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => (/^[\x21-\x7e]+$/.test(k) ? `'${k}'` : JSON.stringify(k))).join(", ")}`;
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${issue.expected}, got ${shown(issue.input)}`;
    case "invalid_value":
      // zod's own messages start "Invalid"; a schema's own message says more.
      return `${issue.message.startsWith("Invalid") ? `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` : issue.message}, got ${shown(issue.input)}`;
    case "custom":
      return issue.input !== undefined && !/, got /.test(issue.message) && typeof issue.input !== "object"
        ? `${issue.message}, got ${shown(issue.input)}` : issue.message;
    default:
      return issue.input !== undefined && typeof issue.input !== "object" ? `${issue.message}, got ${shown(issue.input)}` : issue.message;
  }
}

/** Validates raw stack config; throws TopologyError listing every problem with its path. */
export function parseTopology(raw: unknown, root = "topology"): Topology {
  const r = stackSchema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  throw new TopologyError(r.error.issues.map((i) => `${pathText(root, i.path)} ${describeIssue(i)}`));
}

export interface SecretUse {
  /** The config key's name. */
  readonly name: string;
  readonly kind: SecretKind;
  /** Where the topology references it, e.g. topology.directorPairs.lb.instances.VI_EXT.authentication. */
  readonly path: string;
}

/** Every secret the topology references, with what for and where. */
export function secretRefs(t: Topology): SecretUse[] {
  const found: SecretUse[] = [];
  const walk = (v: unknown, path: PropertyKey[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.secret === "string" && typeof o.kind === "string" && Object.keys(o).length === 2) {
        found.push({ name: o.secret, kind: o.kind as SecretKind, path: pathText("topology", path) });
      } else for (const [k, x] of Object.entries(o)) walk(x, [...path, k]);
    }
  };
  walk(t, []);
  return found;
}
