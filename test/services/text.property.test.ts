// The daemons' own checkers on hostile values (the unit tier's
// test/model/text.property.test.ts tries many more, without root): for each
// daemon, every run puts a drawn value in each of its fields at once (or
// renames one name everywhere), keeps the values the model accepts, renders
// the stack through the real plan, and has the daemon check each host whose
// files changed: keepalived -t, nginx -t, squid -k parse, drbdadm dump with
// the 8.4 and 9 parsers, sh -n. Each accepted value must read back unchanged;
// squid's own reading of each line and drbdadm's dump must hold them too.
// Fixed seed, bounded runs, no shrinking (each step runs the checkers);
// fast-check prints the seed and the failing values (DSAS_PROPERTY_SEED=N).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { file, type HostFile } from "../../components/plan/files.ts";
import { KEEPALIVED_CONF } from "../../components/services/keepalived.ts";
import { SQUID_CONF } from "../../components/services/squid.ts";
import { type Daemon, FIELD_CASES, type FieldCase, fullRaw, hostile, hostileLines, load, readBackProblem, type Rendered } from "../helpers/fields.ts";
import { drbdStatements, squidProcessed, squidStatements } from "../helpers/readback.ts";
import { runOnHost } from "../helpers/sandbox.ts";

const SEED = Number(process.env.DSAS_PROPERTY_SEED ?? 20260112);
const RUNS = { values: 12, names: 8 };
const DAEMONS: readonly Daemon[] = ["keepalived", "nginx", "squid", "drbd"];

const base = load(fullRaw());
if (!("rendered" in base)) throw new Error(`the full stack is refused: ${base.refused.join("; ")}`);
const before = base.rendered;

// Renaming a name moves files to other hosts and paths, which the other fields' readers
// look for by their old names: a run renames one name, or sets every other field.
const isName = (c: FieldCase) => c.at("a") !== c.at("b");
const valueOf = (c: FieldCase) => (c.lines ? hostileLines(c, false) : hostile(c.valid, { valid: 4, spliced: 4, soup: 1, unicode: 1, long: 1 }))
  .map((v) => (c.prefix ?? "") + v);

/** The accepted ones of `values`, put in the full stack one by one, each kept only if the stack stays accepted. */
function apply(cases: readonly FieldCase[], values: readonly string[]) {
  let raw = fullRaw();
  let r = before;
  const kept: [FieldCase, string][] = [];
  cases.forEach((c, i) => {
    const next = structuredClone(raw);
    c.set(next, values[i]);
    const out = load(next);
    if ("rendered" in out) { raw = next; r = out.rendered; kept.push([c, values[i]]); }
  });
  // A line reads back against the same stack without it.
  const without = (c: FieldCase) => {
    const other = structuredClone(raw);
    c.lines!.setLines(other, []);
    const out = load(other);
    return "rendered" in out ? out.rendered : undefined;
  };
  return { r, kept, without };
}

/** Hosts whose files changed, one per component: the checkers are slow, and a pair's hosts get the same values. */
function changedHosts(r: Rendered): string[] {
  const same = (h: string) => JSON.stringify(before.files[h]) === JSON.stringify(r.files[h]);
  const seen = new Set<string>();
  const component = (h: string) => {
    for (const [n, p] of Object.entries(r.model.directorPairs)) if (h === p.master || h === p.backup) return `pair ${n}`;
    for (const [n, d] of Object.entries(r.model.drbdPairs)) if (h in d.nodes) return `drbd ${n}`;
    for (const [n, t] of Object.entries(r.model.cacheTiers)) if (t.squids.includes(h)) return `squids ${n}`;
    return h;
  };
  return Object.keys(r.files).filter((h) => !same(h)).filter((h) => !seen.has(component(h)) && seen.add(component(h)));
}

/** /etc/passwd and /etc/group that have each pair's script user, as a director must. */
function users(r: Rendered): HostFile[] {
  const names = [...new Set(Object.values(r.model.directorPairs).map((p) => p.scriptUser))].filter((u) => u !== "root");
  if (!names.length) return [];
  const add = (path: string, line: (u: string) => string) => file(path, readFileSync(path, "utf8") + names.map((u) => `${line(u)}\n`).join(""));
  return [add("/etc/passwd", (u) => `${u}:x:4242:4242::/nonexistent:/usr/sbin/nologin`), add("/etc/group", (u) => `${u}:x:4242:`)];
}

// A stack's host name need not be one hostname(1) takes (it allows '_'), except a DRBD node's, which drbdadm finds by it.
const SPLIT = "--- dsas: next parser ---";
const run = (r: Rendered, host: string, command: string, extra: HostFile[] = []) =>
  runOnHost({ hostname: /^[A-Za-z0-9.-]+$/.test(host) ? host : "dsas-sandbox", interfaces: r.model.hosts[host].interfaces, files: [...r.files[host], ...extra] }, command);
const text = (r: Rendered, host: string, path: string) => r.files[host].find((f) => f.path === path)?.content ?? "";

/** What each daemon says of a host's files that is not a clean bill; what drbdadm and squid read, for the values. */
function check(r: Rendered, host: string): { problems: string[]; drbdWords?: string[] } {
  const paths = r.files[host].map((f) => f.path);
  const problems: string[] = [];
  let drbdWords: string[] | undefined;
  if (paths.includes(KEEPALIVED_CONF)) {
    const k = run(r, host, `keepalived -t -f ${KEEPALIVED_CONF}`, users(r));
    if (k.code !== 0 || k.output !== "") problems.push(`keepalived -t: ${k.code}: ${k.output}`);
  }
  if (paths.some((p) => p.startsWith("/etc/nginx/conf.d/"))) {
    const n = run(r, host, "nginx -t 2>&1");
    if (n.code !== 0 || /\[(warn|error|crit|alert|emerg)\]/.test(n.output)) problems.push(`nginx -t: ${n.code}: ${n.output}`);
  }
  if (paths.includes(SQUID_CONF)) {
    const s = run(r, host, `squid -k parse -f ${SQUID_CONF} 2>&1`);
    const bad = s.output.split("\n").filter((l) => !l.includes("| Processing: ") && /WARNING|ERROR|FATAL/i.test(l));
    if (s.code !== 0 || bad.length) problems.push(`squid -k parse: ${s.code}: ${bad.join("\n")}`);
    // squid's own reading of each directive line is the readers'.
    const [ours, theirs] = [squidStatements(text(r, host, SQUID_CONF)), squidProcessed(s.output)];
    const at = Math.max(ours.length, theirs.length) === 0 ? -1 : [...Array(Math.max(ours.length, theirs.length)).keys()].find((i) => JSON.stringify(ours[i]) !== JSON.stringify(theirs[i]));
    if (at !== undefined && at >= 0) problems.push(`squid read line ${at} otherwise: ${JSON.stringify(theirs[at])}, not ${JSON.stringify(ours[at])}`);
  }
  const res = paths.find((p) => p.startsWith("/etc/drbd.d/") && p.endsWith(".res"));
  if (res) {
    const resource = res.slice("/etc/drbd.d/".length, -".res".length);
    // Both parsers in one sandbox: the 8.4 one the lab's kernel gets, and drbd-utils 9's own.
    const dump = (v: string) => `DRBD_DRIVER_VERSION_OVERRIDE=${v} drbdadm -c ${res} dump ${resource} 2>&1; echo "exit $?"`;
    const both = run(r, host, `${dump("8.4.11")}; echo ${SPLIT}; ${dump("9.2.0")}`).output.split(`${SPLIT}\n`);
    for (const [i, out] of both.entries()) {
      if (!out.trimEnd().endsWith("exit 0") || /warn|error|not found/i.test(out) || !out.includes(`resource ${resource} {`)) problems.push(`drbdadm ${["8.4", "9"][i]} dump: ${out}`);
      drbdWords = drbdStatements(out.replace(/exit \d+\s*$/, "")).flat().flatMap((w) => [w, ...w.split(" ")]);
    }
  }
  if (paths.includes("/usr/local/libexec/dsas/realserver-net")) {
    const s = run(r, host, "sh -n /usr/local/libexec/dsas/realserver-net");
    if (s.code !== 0) problems.push(`sh -n: ${s.output}`);
  }
  return { problems, drbdWords };
}

/** Every problem of one run: a value that does not read back, a checker's complaint, a value drbdadm's dump lacks. */
function runProblems(cases: readonly FieldCase[], values: readonly string[]): string[] {
  const { r, kept, without } = apply(cases, values);
  const problems = kept.flatMap(([c, v]) => {
    const p = readBackProblem(c, r, v, c.lines ? without(c) : undefined);
    return p ? [`${c.place} = ${JSON.stringify(v)}: ${p}`] : [];
  });
  for (const host of changedHosts(r)) {
    const { problems: said, drbdWords } = check(r, host);
    problems.push(...said.map((p) => `${host}: ${p}`));
    if (drbdWords) {
      for (const [c, v] of kept) {
        if (c.lands?.daemon === "drbd" && !c.lines && !drbdWords.includes(v)) problems.push(`${host}: drbdadm's dump lacks ${c.place} = ${JSON.stringify(v)}`);
      }
    }
  }
  return problems;
}

// The real servers' shell script holds a pool's gateway only: checked with the director pair's fields.
const daemonOf = (c: FieldCase) => (c.lands?.daemon === "sh" ? "keepalived" : c.lands?.daemon);

it("checks every field that lands in a daemon's file", () => {
  expect(FIELD_CASES.filter((c) => c.lands && !DAEMONS.includes(daemonOf(c)!)).map((c) => c.place)).toEqual([]);
});

describe.each(DAEMONS)("%s checks the files hostile values are rendered into", (daemon) => {
  const cases = FIELD_CASES.filter((c) => daemonOf(c) === daemon);
  const values = cases.filter((c) => !isName(c));
  const names = cases.filter(isName);

  it(`accepts each value the model lets through, set in all ${values.length} of its fields at once, and they read back unchanged`, () => {
    fc.assert(fc.property(fc.tuple(...values.map(valueOf)), (vs) => {
      expect(runProblems(values, vs)).toEqual([]);
    }), { seed: SEED, numRuns: RUNS.values, endOnFailure: true });
  });

  if (names.length) it(`accepts each name the model lets through, one of its ${names.length} renamed everywhere a run`, () => {
    fc.assert(fc.property(fc.nat().chain((i) => valueOf(names[i % names.length]).map((v) => [i % names.length, v] as const)), ([i, v]) => {
      expect(runProblems([names[i]], [v])).toEqual([]);
    }), { seed: SEED, numRuns: RUNS.names, endOnFailure: true });
  });
});
