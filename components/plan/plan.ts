// The plan: the normalized model rendered once into units (one service on one
// host, with its files and the units it must follow), grouped by the
// component that deploys them. Pure: the same model gives the same plan, and
// no secret value is in it (files hold tokens, filled in at deployment).
import type { CacheTierModel, DirectorPairModel, DrbdPairModel, HostModel, Model, PoolModel, StoragePairModel } from "../model/normalize.ts";
import { clusterUnit, PAIR_TOOL } from "../services/cluster.ts";
import { mariadbDatadir, mariadbUnit } from "../services/mariadb.ts";
import { exportDirs, nfsUnit } from "../services/nfs.ts";
import { pacemakerUnit } from "../services/pacemaker.ts";
import { qnetdUnit } from "../services/qnetd.ts";
import { directorUnit } from "../services/director.ts";
import { drbdUnit, promoteUnit } from "../services/drbd.ts";
import { ipvsadmUnit } from "../services/ipvsadm.ts";
import { keepalivedUnit } from "../services/keepalived.ts";
import { nginxUnit } from "../services/nginx.ts";
import { realServerUnit } from "../services/realserver.ts";
import type { Unit, UnitDraft } from "../services/service.ts";
import { squidUnit } from "../services/squid.ts";
import { fill, type HostFile } from "./files.ts";

/** A component's part of the plan: its units, in an order that respects `after`. */
export interface Slice {
  readonly units: readonly Unit[];
}

/**
 * Orders one component's units by their services' rollout: units of a
 * service that goes "all hosts at once" first, together; then one host at a
 * time in `hosts` order; then those that go "after the others". On a host,
 * units follow their services' phase.
 */
export function rollout(drafts: readonly UnitDraft[], hosts: readonly string[]): Slice {
  const rank = (h: string) => hosts.indexOf(h);
  const waves: UnitDraft[][] = [];
  const together = drafts.filter((d) => d.service.rollout === "all hosts at once");
  if (together.length) waves.push(together);
  for (const h of [...new Set(drafts.map((d) => d.host))].sort((a, b) => rank(a) - rank(b))) {
    const own = drafts.filter((d) => d.host === h && d.service.rollout === "one host at a time");
    if (own.length) waves.push(own);
  }
  // What goes after the others goes in the order of its services' phases, each phase's hosts together.
  const last = drafts.filter((d) => d.service.rollout === "after the others");
  for (const phase of [...new Set(last.map((d) => d.service.phase))].sort((a, b) => a - b)) waves.push(last.filter((d) => d.service.phase === phase));

  const units: Unit[] = [];
  let before: string[] = [];
  for (const wave of waves) {
    const ends: string[] = [];
    for (const h of [...new Set(wave.map((d) => d.host))]) {
      let prev = before;
      for (const d of wave.filter((x) => x.host === h).sort((a, b) => a.service.phase - b.service.phase)) {
        const key = `${d.host}/${d.service.name}`;
        units.push({ ...d, key, after: prev });
        prev = [key];
      }
      ends.push(...prev);
    }
    before = ends;
  }
  return { units };
}

/**
 * A director pair: kernel settings, static rules or keepalived; the director
 * that ends the run as backup (the one in maintenance, else the backup)
 * first, the other only once it succeeded.
 */
export function planDirectorPair(pair: DirectorPairModel, hosts: Readonly<Record<string, HostModel>>): Slice {
  const drafts = (["backup", "master"] as const).flatMap((role) => [
    directorUnit(pair, pair[role]),
    ...(pair.ipvs === "static" ? [ipvsadmUnit(pair, pair[role])] : []),
    keepalivedUnit(pair, role, hosts),
  ]);
  return rollout(drafts, pair.maintenance === pair.master ? [pair.master, pair.backup] : [pair.backup, pair.master]);
}

/** A pool's real servers, one at a time, so a change never takes more than one member away. */
export function planPool(pool: PoolModel): Slice {
  const members = Object.keys(pool.members).sort();
  return rollout(members.map((h) => realServerUnit(h, pool.members[h])), members);
}

export function planDrbdPair(pair: DrbdPairModel): Slice {
  const nodes = Object.keys(pair.nodes).sort();
  return rollout([...nodes.map((n) => drbdUnit(pair, n)), promoteUnit(pair)], nodes);
}

/** A cache tier: the squids one at a time, then the fronts one at a time. */
export function planCacheTier(tier: CacheTierModel): Slice {
  const order = [...tier.squids, ...tier.fronts];
  return rollout([...tier.squids.map((s) => squidUnit(tier, s)), ...[...new Set(tier.fronts)].map((f) => nginxUnit(tier, f))], order);
}

/**
 * A storage pair: on both nodes DRBD (with resource-level fencing), the
 * cluster stack and the service's configuration, and the arbiter's qnetd when
 * this pair is the first (by name) of those it serves; then first set-up on
 * the initial sync source; then Pacemaker on both nodes together (wait_for_all
 * needs both) with the configuration that moves the service.
 */
export function planStoragePair(pair: StoragePairModel, sharingArbiter: readonly StoragePairModel[] = [pair]): Slice {
  const nodes = Object.keys(pair.nodes).sort();
  const mp = pair.filesystem.mountPoint;
  const init = pair.nfs ? `${PAIR_TOOL} init ${pair.resource} ${mp} ${pair.filesystem.type} nfs ${exportDirs(pair).join(" ")}`
    : `${PAIR_TOOL} init ${pair.resource} ${mp} ${pair.filesystem.type} mariadb ${mariadbDatadir(pair)}`;
  const first = [...sharingArbiter].sort((a, b) => a.name.localeCompare(b.name))[0];
  return rollout([
    ...(first.name === pair.name ? [qnetdUnit(sharingArbiter)] : []),
    ...nodes.flatMap((n) => [drbdUnit(pair, n, true), clusterUnit(pair, n), pair.nfs ? nfsUnit(pair, n) : mariadbUnit(pair, n), pacemakerUnit(pair, n)]),
    promoteUnit(pair, init),
  ], [pair.arbiter, ...nodes]);
}

export interface Plan {
  readonly directorPairs: Readonly<Record<string, Slice>>;
  readonly pools: Readonly<Record<string, Slice>>;
  readonly drbdPairs: Readonly<Record<string, Slice>>;
  readonly cacheTiers: Readonly<Record<string, Slice>>;
  readonly storagePairs: Readonly<Record<string, Slice>>;
}

const each = <T>(r: Readonly<Record<string, T>>, f: (v: T) => Slice) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

export function planStack(model: Model): Plan {
  const plan = {
    directorPairs: each(model.directorPairs, (p) => planDirectorPair(p, model.hosts)),
    pools: each(model.pools, planPool),
    drbdPairs: each(model.drbdPairs, planDrbdPair),
    cacheTiers: each(model.cacheTiers, planCacheTier),
    storagePairs: each(model.storagePairs, (p) => planStoragePair(p, Object.values(model.storagePairs).filter((o) => o.arbiter === p.arbiter))),
  };
  hostFiles(plan);
  return plan;
}

export function units(plan: Plan): Unit[] {
  return [plan.directorPairs, plan.pools, plan.drbdPairs, plan.cacheTiers, plan.storagePairs].flatMap((group) => Object.values(group).flatMap((s) => s.units));
}

/** Every host's files, sorted by path; two parts of the stack writing one path is an error. */
export function hostFiles(plan: Plan): Record<string, HostFile[]> {
  const byHost: Record<string, { file: HostFile; unit: string }[]> = {};
  for (const u of units(plan)) for (const f of u.files) (byHost[u.host] ??= []).push({ file: f, unit: u.key });
  const out: Record<string, HostFile[]> = {};
  for (const host of Object.keys(byHost).sort()) {
    const files = byHost[host].sort((a, b) => a.file.path.localeCompare(b.file.path));
    files.forEach((f, i) => {
      if (i > 0 && files[i - 1].file.path === f.file.path) throw new Error(`${host}: ${files[i - 1].unit} and ${f.unit} both write ${f.file.path}`);
    });
    out[host] = files.map((f) => f.file);
  }
  return out;
}

/** Every host's files with the secrets' values filled in, as they land on the hosts. */
export function renderedFiles(plan: Plan, value: (name: string) => string): Record<string, HostFile[]> {
  return Object.fromEntries(Object.entries(hostFiles(plan)).map(([host, files]) =>
    [host, files.map((f) => (f.secret ? { ...f, content: fill(f.content, value) } : f))]));
}
