// Failure-mode arithmetic: for each VRRP instance, who holds its VIPs after
// each single failure (a director down, a tracked interface down, a tracked
// script or process failing, on either director), by keepalived 2.2's rules:
// - a director down, an interface down, a script or track process of weight 0
//   failing, or a track file of weight 0 holding a value other than 0 puts the
//   instance in FAULT (or stops it): the other director takes the VIPs;
// - a weighted script or track process changes the priority (negative while
//   failing, positive while succeeding), kept within 1..254; the backup takes
//   over from a live master only if its priority is strictly higher, never
//   with nopreempt, and after preemptDelay (a weighted track file adds its value
//   times its weight, which the stack cannot know, and is left out);
// - an instance's own weighted scripts and processes are ignored in a sync
//   group (refused by the cross-checks); a group's scripts weigh on each
//   member, and when one member moves the group moves with it.
// A stack where some failure on the master can never move the VIPs is refused,
// with the failure and the numbers. So is a quorum the pool can never reach.
import type { DirectorPair, Topology } from "./schema.ts";
import type { Path, Report } from "./validate.ts";

// keepalived keeps an effective priority within 1..254 (255 is the address owner's).
const PRIO_MAX = 254;
const clamp = (p: number) => Math.min(PRIO_MAX, Math.max(1, p));

interface Tracked {
  readonly kind: "script" | "track process";
  readonly name: string;
  readonly weight: number;
  /** Where the instance or its group tracks it. */
  readonly path: Path;
}

export interface Outcome {
  readonly instance: string;
  /** "lv1 down", "eth1 down on lv1", "script chk_uplink failing on lv1", "track file deploy not 0 on lv1". */
  readonly failure: string;
  /** The director that holds the instance's VIPs afterwards. */
  readonly owner: string;
  readonly why: string;
}

function groupOf(pair: DirectorPair, instance: string): [string, DirectorPair["syncGroups"][string]] | undefined {
  return Object.entries(pair.syncGroups).find(([, g]) => g.instances.includes(instance));
}

/** The scripts and track processes that weigh on an instance: its own (unweighted only, in a sync group) and its group's scripts. */
function trackedBy(pair: DirectorPair, pn: string, instance: string): Tracked[] {
  const group = groupOf(pair, instance);
  const inst = pair.instances[instance];
  const own = [
    ...inst.trackScripts.map((name, k): Tracked => ({ kind: "script", name, weight: pair.scripts[name]?.weight ?? 0, path: ["directorPairs", pn, "instances", instance, "trackScripts", k] })),
    ...inst.trackProcesses.map((name, k): Tracked => ({ kind: "track process", name, weight: pair.trackProcesses[name]?.weight ?? 0, path: ["directorPairs", pn, "instances", instance, "trackProcesses", k] })),
  ].filter((s) => !group || s.weight === 0);
  const shared = (group?.[1].trackScripts ?? []).map((name, k): Tracked => ({ kind: "script", name, weight: pair.scripts[name]?.weight ?? 0, path: ["directorPairs", pn, "syncGroups", group![0], "trackScripts", k] }));
  return [...own.filter((s) => !shared.some((g) => same(g, s))), ...shared];
}

const same = (a: Tracked, b: Tracked) => a.kind === b.kind && a.name === b.name;
const defined = (pair: DirectorPair, s: Tracked) => (s.kind === "script" ? pair.scripts : pair.trackProcesses)[s.name] !== undefined;

/** "150 + 10 - 20 = 140", with keepalived's cap shown when it applies. */
function sum(base: number, terms: readonly number[]): { value: number; text: string } {
  const raw = terms.reduce((a, b) => a + b, base);
  const text = `${base}${terms.map((w) => (w < 0 ? ` - ${-w}` : ` + ${w}`)).join("")}`;
  const value = clamp(raw);
  return { value, text: terms.length === 0 ? `${value}` : value === raw ? `${text} = ${value}` : `${text}, kept at ${value}` };
}

interface ScriptFailure {
  readonly instance: string;
  readonly master: { value: number; text: string };
  readonly backup: { value: number; text: string };
  readonly moves: boolean;
  readonly nopreempt: boolean;
  /** The weight from which the failure would move the VIPs. */
  readonly bound: number;
}

/** A weighted script or track process failing on the master, as one instance sees it. */
function scriptFailure(pair: DirectorPair, pn: string, instance: string, failing: Tracked): ScriptFailure {
  const inst = pair.instances[instance];
  const { weight } = failing;
  const bonuses = trackedBy(pair, pn, instance).filter((s) => s.weight > 0);
  const others = bonuses.filter((s) => !same(s, failing)).map((s) => s.weight);
  const master = sum(inst.priority.master, weight < 0 ? [...others, weight] : others);
  const backup = sum(inst.priority.backup, bonuses.map((s) => s.weight));
  // A failing negative script must take the master below the backup; a positive one's missing bonus must.
  const bound = weight < 0 ? inst.priority.backup - inst.priority.master - 1 : inst.priority.master - inst.priority.backup + 1;
  return { instance, master, backup, moves: !inst.nopreempt && master.value < backup.value, nopreempt: inst.nopreempt, bound };
}

/** Who holds each instance's VIPs after each single failure. */
export function failures(pair: DirectorPair, pn = "pair"): Outcome[] {
  const out: Outcome[] = [];
  for (const [instance, inst] of Object.entries(pair.instances)) {
    const group = groupOf(pair, instance);
    const members = group ? group[1].instances.filter((m) => pair.instances[m]) : [instance];
    for (const role of ["master", "backup"] as const) {
      const d = pair[role];
      const other = pair[role === "master" ? "backup" : "master"];
      const delay = inst.preemptDelay ? ` after preemptDelay ${inst.preemptDelay} s` : "";
      out.push({ instance, failure: `${d} down`, owner: other, why: `${other} stops hearing ${d}'s adverts` });
      for (const iface of new Set([inst.interface, ...inst.trackInterfaces])) {
        out.push({ instance, failure: `${iface} down on ${d}`, owner: other, why: `${instance} goes to FAULT on ${d}${group ? `, and sync group '${group[0]}' with it` : ""}` });
      }
      for (const file of inst.trackFiles.filter((f) => pair.trackFiles[f]?.weight === 0)) {
        out.push({ instance, failure: `track file ${file} not 0 on ${d}`, owner: other, why: `weight 0: ${instance} goes to FAULT on ${d}` });
      }
      for (const s of trackedBy(pair, pn, instance)) {
        const failure = `${s.kind} ${s.name} failing on ${d}`;
        if (s.weight === 0) {
          out.push({ instance, failure, owner: other, why: `weight 0: ${instance} goes to FAULT on ${d}` });
        } else if (role === "backup") {
          out.push({ instance, failure, owner: pair.master, why: `only ${d}'s priority changes` });
        } else {
          const seen = members.map((m) => scriptFailure(pair, pn, m, s));
          const moved = seen.find((f) => f.moves);
          const f = seen.find((x) => x.instance === instance)!;
          out.push(moved
            ? { instance, failure, owner: other, why: `${moved.instance}: master ${moved.master.text} below backup ${moved.backup.text}${delay}` }
            : { instance, failure, owner: d, why: f.nopreempt ? "nopreempt: the backup never takes over from a live master" : `master ${f.master.text}, not below backup ${f.backup.text}` });
        }
      }
    }
  }
  return out;
}

function pairCheck(pair: DirectorPair, pn: string, report: Report): void {
  for (const [instance, inst] of Object.entries(pair.instances)) {
    const bonuses = trackedBy(pair, pn, instance).filter((s) => s.weight > 0).map((s) => s.weight);
    const [m, b] = [sum(inst.priority.master, bonuses), sum(inst.priority.backup, bonuses)];
    if (inst.priority.master > inst.priority.backup && m.value <= b.value) {
      report(["directorPairs", pn, "instances", instance, "priority", "master"],
        `${inst.priority.master} gives the master ${pair.master} ${m.text} with every tracked script succeeding, no more than the backup ${pair.backup}'s ${b.text}: the master would not outrank the backup`);
    }
  }
  // Each weighted script once, where it is tracked: an instance's own, or its group's for all members.
  const reported = new Set<string>();
  for (const instance of Object.keys(pair.instances)) {
    const group = groupOf(pair, instance);
    const members = group ? group[1].instances.filter((m) => pair.instances[m]) : [instance];
    for (const s of trackedBy(pair, pn, instance)) {
      const key = s.path.join(".");
      if (s.weight === 0 || !defined(pair, s) || reported.has(key)) continue;
      reported.add(key);
      const seen = members.map((m) => scriptFailure(pair, pn, m, s));
      if (seen.some((f) => f.moves)) continue;
      const head = `names ${s.kind} '${s.name}' with weight ${s.weight}, whose failure on the master ${pair.master} can never move the VIPs`;
      if (seen.every((f) => f.nopreempt)) {
        report(s.path, `${head}: with nopreempt the backup ${pair.backup} never takes over from a master that still sends adverts; give it weight 0 to fault the instance`);
        continue;
      }
      const numbers = seen.filter((f) => !f.nopreempt).map((f) => `${members.length > 1 ? `${f.instance}: ` : ""}master ${f.master.text}, not below backup ${pair.backup}'s ${f.backup.text}`).join("; ");
      const bound = s.weight < 0 ? Math.max(...seen.map((f) => f.bound)) : Math.min(...seen.map((f) => f.bound));
      report(s.path, `${head} (${numbers}); give it a weight of ${bound} or ${s.weight < 0 ? "less" : "more"}, or 0 to fault the instance`);
    }
  }
}

/** keepalived brings a virtual server up only once its live real servers weigh quorum + hysteresis. */
function quorumCheck(t: Topology, pn: string, pair: DirectorPair, report: Report): void {
  for (const [vn, vs] of Object.entries(pair.virtualServers)) {
    const pool = t.pools[vs.pool];
    if (vs.quorum === undefined || !pool) continue;
    const members = Object.entries(pool.realServers).filter(([h]) => t.hosts[h]);
    const total = members.reduce((n, [, rs]) => n + rs.weight, 0);
    const needed = vs.quorum + (vs.hysteresis ?? 0);
    if (needed > total) {
      report(["directorPairs", pn, "virtualServers", vn, "quorum"],
        `${vs.quorum}${vs.hysteresis ? ` + hysteresis ${vs.hysteresis} = ${needed}` : ""} is above the total weight ${total} of pool '${vs.pool}' (${members.map(([h, rs]) => `${h} ${rs.weight}`).join(", ")}): the service would never be up`);
    }
  }
}

export function failoverCheck(t: Topology, report: Report): void {
  for (const [pn, pair] of Object.entries(t.directorPairs)) {
    quorumCheck(t, pn, pair, report);
    pairCheck(pair, pn, report);
  }
}
