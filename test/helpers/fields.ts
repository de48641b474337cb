// For every string field of the schema (test/helpers/schema-walk.ts): where it
// is in a stack that sets every optional one, how a value is put there (a name
// renamed everywhere it is referred to), values it usually holds, and where
// the rendered files hold it, read back as its daemon reads them
// (test/helpers/readback.ts). The property tests draw hostile values for each.
import fc from "fast-check";
import { normalize, type Model } from "../../components/model/normalize.ts";
import { parseTopology, TopologyError } from "../../components/model/validate.ts";
import { hostFiles, planStack, renderedFiles, type Plan } from "../../components/plan/plan.ts";
import { secretNames, type HostFile } from "../../components/plan/files.ts";
import { KEEPALIVED_CONF, MAINTENANCE_FILE } from "../../components/services/keepalived.ts";
import { SQUID_CONF } from "../../components/services/squid.ts";
import { frontConfPath } from "../../components/services/nginx.ts";
import { exampleRaw, testSecrets } from "./example.ts";
import { argsOf, drbdStatements, keepalivedStatements, nginxStatements, squidStatements } from "./readback.ts";

let full: any;
/** The example with every optional string field set: a fresh copy to change. */
export function fullRaw(): any {
  full ??= buildFull();
  return structuredClone(full);
}

function buildFull(): any {
  const t = exampleRaw();
  t.hosts.web1.ssh = { address: "web1.example.com", user: "deploy", privateKey: { secret: "sshKey" }, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpin" };
  const lb = t.directorPairs.lb;
  const notify = () => ({ master: "/usr/bin/true", backup: "/usr/bin/true", fault: "/usr/bin/true", stop: "/usr/bin/true", any: "/usr/bin/logger" });
  lb.scriptUser = "root";
  lb.extraGlobalConfig = ["vrrp_garp_interval 0.001"];
  lb.scripts.chk_group = { command: "/usr/bin/true", weight: 0 };
  lb.trackFiles = { deploying: { file: "/run/deploying", initValue: 0 } };
  lb.trackProcesses = { proxy: { process: "haproxy", parameters: ["-f", "/etc/haproxy/haproxy.cfg"], paramMatch: "partial" } };
  Object.assign(lb.instances.VI_EXT, { trackFiles: ["deploying"], trackProcesses: ["proxy"] });
  Object.assign(lb.instances.VI_INT, { notify: notify(), extraConfig: ["dont_track_primary"] });
  Object.assign(lb.syncGroups.VG_LB, { notify: notify(), trackScripts: ["chk_group"] });
  Object.assign(lb.virtualServers.web, { extraConfig: ["alpha"], gateway: "192.168.31.10" });
  t.pools.web.checks = [
    { type: "HTTP_GET", path: "/health", statusCode: 200, digest: "9b3a0c85a887a256d6939da88aabd8cd", virtualHost: "www.example.com" },
    { type: "MISC_CHECK", command: "/usr/bin/true" },
  ];
  t.pools.web.checks.push({ type: "DNS_CHECK", name: "example.com" });
  // web2 with checks of its own, of every type with a string field.
  t.pools.web.realServers.web2.checks = [
    { type: "HTTP_GET", path: "/ready", digest: "0cc175b9c0f1b6a831c399e269772661", virtualHost: "web2.example.com" },
    { type: "SMTP_CHECK", helo: "lv.example.com" },
    { type: "DNS_CHECK", name: "www.example.com" },
    { type: "MISC_CHECK", command: "/usr/bin/true" },
  ];
  Object.assign(lb.virtualServers.web, { quorumUp: "/usr/bin/true", quorumDown: "/usr/bin/logger" });
  t.pools.mysql.checks[0].user = "dsas_check";
  Object.assign(t.drbdPairs.nfs, { device: "/dev/drbd0", metaDisk: "/dev/sdc1", resyncRate: "100M", extraNetConfig: ["max-buffers 8000;"], splitBrainNotify: "root" });
  t.drbdPairs.nfs.filesystem.mountPoint = "/srv/nfs";
  Object.assign(t.cacheTiers.images, { serverName: "img.example.com", squidExtraConfig: ["client_db off"], nginxExtraConfig: ["add_header X-Dsas 1;"] });
  Object.assign(t.hosts, { sto1: { interfaces: { eth0: "192.168.31.51/24" } }, sto2: { interfaces: { eth0: "192.168.31.52/24" } }, arb1: { interfaces: { eth0: "192.168.31.53/24" } } });
  t.storagePairs = {
    db: {
      resource: "r1", nodes: { sto1: { disk: "/dev/sdb" }, sto2: { disk: "/dev/sdb" } }, device: "/dev/drbd1", metaDisk: "/dev/sdc1", sharedSecret: { secret: "drbdSecret" },
      splitBrainNotify: "root", initialSyncSource: "sto1", resyncRate: "100M", extraNetConfig: ["max-buffers 8000;"], filesystem: { type: "ext4", mountPoint: "/srv/db" },
      address: "192.168.31.50", arbiter: "arb1", clusterKey: { secret: "corosyncKey" }, preferredNode: "sto1",
      nfs: { exports: [{ path: "/srv/db/share", clients: ["192.168.31.0/24"], options: ["rw", "sync"] }] },
    },
  };
  return t;
}

/** A stack rendered: its model, its plan (secret tokens in place) and every host's files with the test secrets. */
export interface Rendered {
  readonly model: Model;
  readonly plan: Plan;
  readonly files: Record<string, HostFile[]>;
}

export type Outcome = { refused: readonly string[] } | { rendered: Rendered };

export function load(raw: unknown): Outcome {
  let t;
  try {
    t = parseTopology(raw);
  } catch (e) {
    if (e instanceof TopologyError) return { refused: e.problems };
    throw e;
  }
  const model = normalize(t);
  const plan = planStack(model);
  return { rendered: { model, plan, files: renderedFiles(plan, testSecrets) } };
}

export type Daemon = "keepalived" | "nginx" | "squid" | "drbd" | "sh";

export interface FieldCase {
  /** The schema's place, as stringFields() names it. */
  readonly place: string;
  /** The field path a refusal of value `v` starts with. */
  readonly at: (v: string) => string;
  /** Puts `v` in the full stack, renaming every reference when it is a name. */
  readonly set: (t: any, v: string) => void;
  /** Values the field usually holds. */
  readonly valid: fc.Arbitrary<string>;
  /** Put before every value tried: a command's program, which must exist on the director (the model cannot know it does). */
  readonly prefix?: string;
  /** The host whose file (checked by `daemon`) holds the value; none for what lands only in the model. */
  readonly lands?: { readonly host: (v: string) => string; readonly daemon: Daemon };
  /** Every place the rendered files (or, for what no file holds, the model) have the value, as their reader reads it. */
  readonly read: (r: Rendered, v: string) => string[];
  /** A list of lines: read back as one line of its own (after `indent` spaces), the rest of the file as without it. */
  readonly lines?: {
    readonly host: string;
    readonly path: (r: Rendered) => string;
    readonly indent: number;
    readonly statements: (text: string) => string[][];
    readonly setLines: (t: any, lines: string[]) => void;
    /** What starts a comment in this file. */
    readonly comments: readonly string[];
  };
}

// Paths as validate.ts prints them: a key that is not a plain name is quoted.
const key = (prefix: string, k: string) => (/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(k) ? `${prefix}.${k}` : `${prefix}[${JSON.stringify(k)}]`);

/** A map with one key renamed in place, without ever assigning to a key such as __proto__. */
function renameKey(obj: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k === from ? to : k, v]));
}
const swap = (list: string[] | undefined, from: string, to: string) => list?.map((x) => (x === from ? to : x));

function renameHost(t: any, from: string, to: string): void {
  t.hosts = renameKey(t.hosts, from, to);
  for (const p of Object.values<any>(t.directorPairs)) for (const r of ["master", "backup"]) if (p[r] === from) p[r] = to;
  for (const p of Object.values<any>(t.pools)) p.realServers = renameKey(p.realServers, from, to);
  for (const d of Object.values<any>(t.drbdPairs)) {
    d.nodes = renameKey(d.nodes, from, to);
    if (d.initialSyncSource === from) d.initialSyncSource = to;
  }
  for (const c of Object.values<any>(t.cacheTiers)) { c.squids = swap(c.squids, from, to); c.fronts = swap(c.fronts, from, to); }
  for (const p of Object.values<any>(t.storagePairs ?? {})) {
    p.nodes = renameKey(p.nodes, from, to);
    for (const r of ["initialSyncSource", "preferredNode", "arbiter"]) if (p[r] === from) p[r] = to;
  }
}

function renameInterface(t: any, from: string, to: string): void {
  for (const h of Object.values<any>(t.hosts)) h.interfaces = renameKey(h.interfaces, from, to);
  for (const p of Object.values<any>(t.directorPairs)) {
    for (const i of Object.values<any>(p.instances)) { if (i.interface === from) i.interface = to; i.trackInterfaces = swap(i.trackInterfaces, from, to); }
    if (p.lvsSyncDaemon?.interface === from) p.lvsSyncDaemon.interface = to;
  }
}

function renameInstance(p: any, from: string, to: string): void {
  p.instances = renameKey(p.instances, from, to);
  for (const g of Object.values<any>(p.syncGroups ?? {})) g.instances = swap(g.instances, from, to);
  if (p.lvsSyncDaemon?.instance === from) p.lvsSyncDaemon.instance = to;
}

function renameScript(p: any, from: string, to: string): void {
  p.scripts = renameKey(p.scripts, from, to);
  for (const i of Object.values<any>(p.instances)) i.trackScripts = swap(i.trackScripts, from, to);
  for (const g of Object.values<any>(p.syncGroups ?? {})) g.trackScripts = swap(g.trackScripts, from, to);
}

function renameTracked(p: any, field: "trackFiles" | "trackProcesses", from: string, to: string): void {
  p[field] = renameKey(p[field], from, to);
  for (const i of Object.values<any>(p.instances)) i[field] = swap(i[field], from, to);
}

function renamePool(t: any, from: string, to: string): void {
  t.pools = renameKey(t.pools, from, to);
  for (const p of Object.values<any>(t.directorPairs)) for (const vs of Object.values<any>(p.virtualServers)) if (vs.pool === from) vs.pool = to;
}

// What the fields usually hold.
const ident = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/);
const ifname = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/).filter((v) => v !== "lo" && !v.startsWith("dsasp"));
const hostName = fc.oneof(fc.domain(), fc.ipV4());
const user = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,12}$/);
const devPath = fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,12}$/), { minLength: 1, maxLength: 3 }).map((ns) => `/dev/${ns.join("/")}`);
const filePath = fc.array(fc.stringMatching(/^[A-Za-z0-9._+@:-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((ns) => `/${ns.join("/")}`);
const word = fc.stringMatching(/^[A-Za-z0-9./:=,@%+_-]{1,10}$/);
const args = fc.array(fc.oneof(word, word.map((w) => `'${w} ${w}'`), fc.constantFrom("#", "!", "{", "}", ";", "*", "&&", "|")), { maxLength: 5 })
  .map((ws) => ws.join(" "));
const urlPath = fc.tuple(fc.webPath(), fc.option(fc.webQueryParameters(), { nil: undefined }))
  .map(([p, q]) => `${p.startsWith("/") ? p : `/${p}`}${q === undefined ? "" : `?${q}`}`);
const constant = (v: string) => fc.constant(v);
// keepalived 2.2.7 takes no one-character label before a dot.
const dnsName = fc.domain().filter((d) => d.split(".").slice(0, -1).every((l) => l.length > 1));

const ka = (r: Rendered, host: string) => keepalivedStatements(fileText(r, host, KEEPALIVED_CONF));
const ng = (r: Rendered) => nginxStatements(fileText(r, "img1", frontConfPath(Object.keys(r.model.cacheTiers)[0])));
const sq = (r: Rendered, host = "cache1") => squidStatements(fileText(r, host, SQUID_CONF));
const drbdRes = (r: Rendered, host: string) => r.files[host]?.find((f) => f.path.startsWith("/etc/drbd.d/") && f.path.endsWith(".res"))?.path ?? "";
const dr = (r: Rendered, host = "nfs1") => drbdStatements(fileText(r, host, drbdRes(r, host)));
export const fileText = (r: Rendered, host: string, path: string) => r.files[host]?.find((f) => f.path === path)?.content ?? "";
const planText = (r: Rendered, host: string, path: string) => hostFiles(r.plan)[host]?.find((f) => f.path === path)?.content ?? "";

/** The statements inside the block that `head` opens (its first words), as keepalived, nginx and drbd nest them. */
export function block(statements: readonly string[][], ...head: string[]): string[][] {
  const start = statements.findIndex((w, i) => head.every((h, k) => w[k] === h) && statements[i + 1]?.[0] === "{");
  if (start < 0) return [];
  const out: string[][] = [];
  let depth = 0;
  for (const w of statements.slice(start + 1)) {
    if (w[0] === "{" && w.length === 1) { if (depth++ === 0) continue; }
    else if (w[0] === "}" && w.length === 1) { if (--depth === 0) break; }
    out.push(w);
  }
  return out;
}
/** lv1's real server block for `address` in its first virtual server (web). */
const realServerOn = (r: Rendered, address: string) => block(block(ka(r, "lv1"), "virtual_server"), "real_server", address);
const WEB1 = "192.168.31.101";
const WEB2 = "192.168.31.102";
/** Statements of `inner` directly inside `outer`'s block. */
const inside = (statements: string[][], outer: string[], inner: string[]) => block(block(statements, ...outer), ...inner);
const firsts = (statements: string[][]) => statements.filter((w) => w.length && w[0] !== "{" && w[0] !== "}").map((w) => w[0]);
/** The stack's own track files VI_EXT tracks on lv1. */
const trackedFiles = (r: Rendered) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_file"])).filter((f) => f !== "dsas_maintenance");
const header = (text: string, re: RegExp) => (re.exec(text.split("\n")[0])?.[1] ? [re.exec(text.split("\n")[0])![1]] : []);

const K = "topology.directorPairs.lb";
const LV1 = { host: () => "lv1", daemon: "keepalived" as const };
const notifyKinds = { master: "notify_master", backup: "notify_backup", fault: "notify_fault", stop: "notify_stop", any: "notify" } as const;

const INDENT: Record<Daemon, number> = { keepalived: 4, nginx: 4, drbd: 8, squid: 0, sh: 0 };
const COMMENTS: Record<Daemon, readonly string[]> = { keepalived: ["#", "!"], nginx: ["#"], drbd: ["#"], squid: ["#"], sh: ["#"] };
const lineCase = (place: string, at: string, setLines: (t: any, lines: string[]) => void, valid: fc.Arbitrary<string>, host: string, daemon: Daemon,
  path: (r: Rendered) => string, statements: (text: string) => string[][]): FieldCase => ({
  place, at: () => at, set: (t, v) => setLines(t, [v]), valid, lands: { host: () => host, daemon }, read: () => [],
  lines: { host, path, indent: INDENT[daemon], statements, setLines, comments: COMMENTS[daemon] },
});

/** Lines each daemon takes in the block the field adds to, and comments: the escape hatch holds any directive, which only its daemon knows. */
export const KNOWN_LINES = {
  keepalivedGlobal: ["vrrp_garp_interval 0.001", "vrrp_garp_master_repeat 2", "vrrp_version 2"],
  keepalivedInstance: ["dont_track_primary", "garp_lower_prio_repeat 1"],
  keepalivedVirtualServer: ["alpha", "omega", "inhibit_on_failure"],
  nginx: ["add_header X-Dsas 1;", "client_max_body_size 1m;", "location /dsas-status { return 204; }"],
  squid: ["client_db off", "forwarded_for delete", "httpd_suppress_version_string on"],
  drbd: ["max-buffers 8000;", "max-epoch-size 8000;", "ko-count 7;"],
} as const;

export const FIELD_CASES: readonly FieldCase[] = [
  {
    place: "hosts.<key>", at: (v) => key("topology.hosts", v), set: (t, v) => renameHost(t, "lv1", v), valid: ident,
    lands: { host: (v) => v, daemon: "keepalived" }, read: (r, v) => argsOf(ka(r, v), "router_id"),
  },
  {
    place: "hosts.<name>.interfaces.<key>", at: (v) => key("topology.hosts.lv1.interfaces", v), set: (t, v) => renameInterface(t, "eth1", v), valid: ifname,
    lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "lvs_sync_daemon"),
  },
  {
    place: "hosts.<name>.interfaces.<name>", at: () => "topology.hosts.web1.interfaces.eth0", set: (t, v) => { t.hosts.web1.interfaces.eth0 = v; },
    valid: fc.constantFrom("192.168.31.101/24", "192.168.31.103/24"), read: (r) => [r.model.hosts.web1.interfaces.eth0],
  },
  { place: "hosts.<name>.ssh.address", at: () => "topology.hosts.web1.ssh.address", set: (t, v) => { t.hosts.web1.ssh.address = v; }, valid: hostName, read: (r) => [r.model.hosts.web1.ssh.address] },
  { place: "hosts.<name>.ssh.user", at: () => "topology.hosts.web1.ssh.user", set: (t, v) => { t.hosts.web1.ssh.user = v; }, valid: user, read: (r) => [r.model.hosts.web1.ssh.user] },
  {
    place: "hosts.<name>.ssh.privateKey.secret", at: () => "topology.hosts.web1.ssh.privateKey.secret", set: (t, v) => { t.hosts.web1.ssh.privateKey.secret = v; }, valid: ident,
    read: (r) => [r.model.hosts.web1.ssh.privateKey!.secret],
  },
  {
    place: "hosts.<name>.ssh.hostKey", at: () => "topology.hosts.web1.ssh.hostKey", set: (t, v) => { t.hosts.web1.ssh.hostKey = v; },
    valid: fc.base64String({ minLength: 4 }).map((b) => `ssh-ed25519 ${b}`), read: (r) => [r.model.hosts.web1.ssh.hostKey!],
  },
  {
    place: "directorPairs.<key>", at: (v) => key("topology.directorPairs", v), set: (t, v) => { t.directorPairs = renameKey(t.directorPairs, "lb", v); }, valid: ident,
    lands: LV1, read: (r) => header(fileText(r, "lv1", KEEPALIVED_CONF), /director pair (\S+), master director/),
  },
  {
    place: "directorPairs.<name>.master", at: () => `${K}.master`, set: (t, v) => { t.directorPairs.lb.master = v; }, valid: constant("lv1"),
    lands: { host: (v) => v, daemon: "keepalived" }, read: (r, v) => header(fileText(r, v, KEEPALIVED_CONF), /director pair lb, master director (\S+)\./),
  },
  {
    place: "directorPairs.<name>.backup", at: () => `${K}.backup`, set: (t, v) => { t.directorPairs.lb.backup = v; }, valid: constant("lv2"),
    lands: { host: (v) => v, daemon: "keepalived" }, read: (r, v) => header(fileText(r, v, KEEPALIVED_CONF), /director pair lb, backup director (\S+)\./),
  },
  {
    place: "directorPairs.<name>.maintenance", at: () => `${K}.maintenance`, set: (t, v) => { t.directorPairs.lb.maintenance = v; }, valid: fc.constantFrom("lv1", "lv2"),
    read: (r) => ["lv1", "lv2"].filter((h) => fileText(r, h, MAINTENANCE_FILE) === "1\n"),
  },
  // On slb, whose keepalived checks no script: elsewhere only root is accepted (model/limits.ts).
  {
    place: "directorPairs.<name>.scriptUser", at: () => "topology.directorPairs.slb.scriptUser", set: (t, v) => { t.directorPairs.slb.scriptUser = v; }, valid: user,
    lands: { host: () => "slv1", daemon: "keepalived" }, read: (r) => argsOf(ka(r, "slv1"), "script_user"),
  },
  {
    place: "directorPairs.<name>.lvsSyncDaemon.interface", at: () => `${K}.lvsSyncDaemon.interface`, set: (t, v) => { t.directorPairs.lb.lvsSyncDaemon.interface = v; },
    valid: constant("eth1"), lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "lvs_sync_daemon"),
  },
  {
    place: "directorPairs.<name>.lvsSyncDaemon.instance", at: () => `${K}.lvsSyncDaemon.instance`, set: (t, v) => { t.directorPairs.lb.lvsSyncDaemon.instance = v; },
    valid: constant("VI_INT"), lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "lvs_sync_daemon", 2),
  },
  {
    place: "directorPairs.<name>.instances.<key>", at: (v) => key(`${K}.instances`, v), set: (t, v) => renameInstance(t.directorPairs.lb, "VI_INT", v), valid: ident,
    lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "lvs_sync_daemon", 2),
  },
  {
    place: "directorPairs.<name>.instances.<name>.interface", at: () => `${K}.instances.VI_INT.interface`, set: (t, v) => { t.directorPairs.lb.instances.VI_INT.interface = v; },
    valid: constant("eth1"), lands: LV1, read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_instance", "VI_INT"), "interface"),
  },
  {
    place: "directorPairs.<name>.instances.<name>.virtualIps[]", at: () => `${K}.instances.VI_INT.virtualIps[0]`, set: (t, v) => { t.directorPairs.lb.instances.VI_INT.virtualIps[0] = v; },
    valid: constant("192.168.31.10"), lands: LV1, read: (r) => inside(ka(r, "lv1"), ["vrrp_instance", "VI_INT"], ["virtual_ipaddress"]).map((w) => w[0].split("/")[0]),
  },
  {
    place: "directorPairs.<name>.instances.<name>.authentication.secret", at: () => `${K}.instances.VI_INT.authentication.secret`,
    set: (t, v) => { t.directorPairs.lb.instances.VI_INT.authentication = { secret: v }; }, valid: ident,
    read: (r) => secretNames(planText(r, "lv1", "/etc/keepalived/dsas/auth-VI_INT.conf")),
  },
  {
    place: "directorPairs.<name>.instances.<name>.trackInterfaces[]", at: () => `${K}.instances.VI_EXT.trackInterfaces[0]`, set: (t, v) => { t.directorPairs.lb.instances.VI_EXT.trackInterfaces[0] = v; },
    valid: constant("eth1"), lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_interface"])),
  },
  {
    place: "directorPairs.<name>.instances.<name>.trackScripts[]", at: () => `${K}.instances.VI_EXT.trackScripts[0]`, set: (t, v) => { t.directorPairs.lb.instances.VI_EXT.trackScripts[0] = v; },
    valid: constant("chk_uplink"), lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_script"])),
  },
  {
    place: "directorPairs.<name>.instances.<name>.trackFiles[]", at: () => `${K}.instances.VI_EXT.trackFiles[0]`, set: (t, v) => { t.directorPairs.lb.instances.VI_EXT.trackFiles[0] = v; },
    valid: constant("deploying"), lands: LV1, read: (r) => trackedFiles(r),
  },
  {
    place: "directorPairs.<name>.instances.<name>.trackProcesses[]", at: () => `${K}.instances.VI_EXT.trackProcesses[0]`,
    set: (t, v) => { t.directorPairs.lb.instances.VI_EXT.trackProcesses[0] = v; }, valid: constant("proxy"), lands: LV1,
    read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_process"])),
  },
  {
    place: "directorPairs.<name>.trackFiles.<key>", at: (v) => key(`${K}.trackFiles`, v), set: (t, v) => renameTracked(t.directorPairs.lb, "trackFiles", "deploying", v),
    valid: ident, lands: LV1, read: (r) => trackedFiles(r),
  },
  {
    place: "directorPairs.<name>.trackFiles.<name>.file", at: () => `${K}.trackFiles.deploying.file`, set: (t, v) => { t.directorPairs.lb.trackFiles.deploying.file = v; },
    valid: filePath, lands: LV1, read: (r) => argsOf(block(ka(r, "lv1"), "track_file", "deploying"), "file"),
  },
  {
    place: "directorPairs.<name>.trackProcesses.<key>", at: (v) => key(`${K}.trackProcesses`, v), set: (t, v) => renameTracked(t.directorPairs.lb, "trackProcesses", "proxy", v),
    valid: ident, lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_process"])),
  },
  {
    place: "directorPairs.<name>.trackProcesses.<name>.process", at: () => `${K}.trackProcesses.proxy.process`, set: (t, v) => { t.directorPairs.lb.trackProcesses.proxy.process = v; },
    valid: fc.oneof(constant("haproxy"), filePath), lands: LV1, read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_track_process", "proxy"), "process"),
  },
  {
    place: "directorPairs.<name>.trackProcesses.<name>.parameters[]", at: () => `${K}.trackProcesses.proxy.parameters[0]`,
    set: (t, v) => { t.directorPairs.lb.trackProcesses.proxy.parameters[0] = v; }, valid: word, lands: LV1,
    read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_track_process", "proxy"), "process", 2),
  },
  ...Object.entries(notifyKinds).map(([kind, keyword]): FieldCase => ({
    place: `directorPairs.<name>.instances.<name>.notify.${kind}`, at: () => `${K}.instances.VI_INT.notify.${kind}`,
    set: (t, v) => { t.directorPairs.lb.instances.VI_INT.notify[kind] = v; }, valid: filePath, lands: LV1,
    read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_instance", "VI_INT"), keyword),
  })),
  lineCase("directorPairs.<name>.instances.<name>.extraConfig[]", `${K}.instances.VI_INT.extraConfig[0]`, (t, ls) => { t.directorPairs.lb.instances.VI_INT.extraConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.keepalivedInstance), "lv1", "keepalived", () => KEEPALIVED_CONF, keepalivedStatements),
  {
    place: "directorPairs.<name>.syncGroups.<key>", at: (v) => key(`${K}.syncGroups`, v), set: (t, v) => { t.directorPairs.lb.syncGroups = renameKey(t.directorPairs.lb.syncGroups, "VG_LB", v); },
    valid: ident, lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "vrrp_sync_group"),
  },
  {
    place: "directorPairs.<name>.syncGroups.<name>.instances[]", at: () => `${K}.syncGroups.VG_LB.instances[0]`, set: (t, v) => { t.directorPairs.lb.syncGroups.VG_LB.instances[0] = v; },
    valid: constant("VI_EXT"), lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_sync_group", "VG_LB"], ["group"])).slice(0, 1),
  },
  ...Object.entries(notifyKinds).map(([kind, keyword]): FieldCase => ({
    place: `directorPairs.<name>.syncGroups.<name>.notify.${kind}`, at: () => `${K}.syncGroups.VG_LB.notify.${kind}`,
    set: (t, v) => { t.directorPairs.lb.syncGroups.VG_LB.notify[kind] = v; }, valid: filePath, lands: LV1,
    read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_sync_group", "VG_LB"), keyword),
  })),
  {
    place: "directorPairs.<name>.syncGroups.<name>.trackScripts[]", at: () => `${K}.syncGroups.VG_LB.trackScripts[0]`, set: (t, v) => { t.directorPairs.lb.syncGroups.VG_LB.trackScripts[0] = v; },
    valid: constant("chk_group"), lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_sync_group", "VG_LB"], ["track_script"])),
  },
  {
    place: "directorPairs.<name>.scripts.<key>", at: (v) => key(`${K}.scripts`, v), set: (t, v) => renameScript(t.directorPairs.lb, "chk_uplink", v), valid: ident,
    lands: LV1, read: (r) => firsts(inside(ka(r, "lv1"), ["vrrp_instance", "VI_EXT"], ["track_script"])),
  },
  {
    place: "directorPairs.<name>.scripts.<name>.command", at: () => `${K}.scripts.chk_uplink.command`, set: (t, v) => { t.directorPairs.lb.scripts.chk_uplink.command = v; },
    valid: args, prefix: "/usr/bin/true ", lands: LV1, read: (r) => argsOf(block(ka(r, "lv1"), "vrrp_script", "chk_uplink"), "script"),
  },
  {
    place: "directorPairs.<name>.virtualServers.<key>", at: (v) => key(`${K}.virtualServers`, v), set: (t, v) => { t.directorPairs.lb.virtualServers = renameKey(t.directorPairs.lb.virtualServers, "web", v); },
    valid: ident, lands: LV1, read: (r) => [...fileText(r, "lv1", KEEPALIVED_CONF).matchAll(/^# virtual server (\S+): pool web$/gm)].map((m) => m[1]),
  },
  {
    place: "directorPairs.<name>.virtualServers.<name>.vip", at: () => `${K}.virtualServers.web.vip`, set: (t, v) => { t.directorPairs.lb.virtualServers.web.vip = v; },
    valid: constant("10.10.31.100"), lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "virtual_server"),
  },
  {
    place: "directorPairs.<name>.virtualServers.<name>.pool", at: () => `${K}.virtualServers.web.pool`, set: (t, v) => { t.directorPairs.lb.virtualServers.web.pool = v; },
    valid: constant("web"), lands: LV1, read: (r) => [...fileText(r, "lv1", KEEPALIVED_CONF).matchAll(/^# virtual server web: pool (\S+)$/gm)].map((m) => m[1]),
  },
  {
    place: "directorPairs.<name>.virtualServers.<name>.sorryServer.address", at: () => `${K}.virtualServers.web.sorryServer.address`,
    set: (t, v) => { t.directorPairs.lb.virtualServers.web.sorryServer.address = v; }, valid: fc.ipV4(), lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "sorry_server"),
  },
  ...(["quorumUp", "quorumDown"] as const).map((field): FieldCase => ({
    place: `directorPairs.<name>.virtualServers.<name>.${field}`, at: () => `${K}.virtualServers.web.${field}`,
    set: (t, v) => { t.directorPairs.lb.virtualServers.web[field] = v; }, valid: filePath, lands: LV1,
    read: (r) => argsOf(block(ka(r, "lv1"), "virtual_server"), field === "quorumUp" ? "quorum_up" : "quorum_down"),
  })),
  {
    place: "directorPairs.<name>.virtualServers.<name>.gateway", at: () => `${K}.virtualServers.web.gateway`, set: (t, v) => { t.directorPairs.lb.virtualServers.web.gateway = v; },
    valid: constant("192.168.31.10"), lands: { host: () => "web1", daemon: "sh" },
    read: (r) => [...fileText(r, "web1", "/usr/local/libexec/dsas/realserver-net").matchAll(/^ip route replace default via (\S+)$/gm)].map((m) => m[1]),
  },
  lineCase("directorPairs.<name>.virtualServers.<name>.extraConfig[]", `${K}.virtualServers.web.extraConfig[0]`, (t, ls) => { t.directorPairs.lb.virtualServers.web.extraConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.keepalivedVirtualServer), "lv1", "keepalived", () => KEEPALIVED_CONF, keepalivedStatements),
  lineCase("directorPairs.<name>.extraGlobalConfig[]", `${K}.extraGlobalConfig[0]`, (t, ls) => { t.directorPairs.lb.extraGlobalConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.keepalivedGlobal), "lv1", "keepalived", () => KEEPALIVED_CONF, keepalivedStatements),
  {
    place: "pools.<key>", at: (v) => key("topology.pools", v), set: (t, v) => renamePool(t, "web", v), valid: ident, lands: LV1,
    read: (r) => [...fileText(r, "lv1", KEEPALIVED_CONF).matchAll(/^# virtual server web: pool (\S+)$/gm)].map((m) => m[1]),
  },
  {
    place: "pools.<name>.realServers.<key>", at: (v) => key("topology.pools.web.realServers", v), set: (t, v) => renameHost(t, "web1", v), valid: ident, lands: LV1,
    read: (r) => [...fileText(r, "lv1", KEEPALIVED_CONF).matchAll(/^ {4}# (\S+)$/gm)].map((m) => m[1]).filter((h) => h !== "web2"),
  },
  {
    place: "pools.<name>.realServers.<name>.address", at: () => "topology.pools.web.realServers.web1.address", set: (t, v) => { t.pools.web.realServers.web1.address = v; },
    valid: constant("192.168.31.101"), lands: LV1, read: (r) => argsOf(ka(r, "lv1"), "real_server").filter((a) => a !== "192.168.31.102"),
  },
  { place: "pools.<name>.checks[HTTP_GET/SSL_GET].path", at: () => "topology.pools.web.checks[0].path", set: (t, v) => { t.pools.web.checks[0].path = v; }, valid: urlPath, lands: LV1, read: (r) => argsOf(realServerOn(r, WEB1), "path") },
  {
    place: "pools.<name>.checks[HTTP_GET/SSL_GET].digest", at: () => "topology.pools.web.checks[0].digest", set: (t, v) => { t.pools.web.checks[0].digest = v; },
    valid: fc.stringMatching(/^[0-9a-f]{32}$/), lands: LV1, read: (r) => argsOf(realServerOn(r, WEB1), "digest"),
  },
  {
    place: "pools.<name>.checks[HTTP_GET/SSL_GET].virtualHost", at: () => "topology.pools.web.checks[0].virtualHost", set: (t, v) => { t.pools.web.checks[0].virtualHost = v; },
    valid: hostName, lands: LV1, read: (r) => argsOf(realServerOn(r, WEB1), "virtualhost"),
  },
  {
    place: "pools.<name>.checks[SMTP_CHECK].helo", at: () => "topology.pools.smtp.checks[0].helo", set: (t, v) => { t.pools.smtp.checks[0].helo = v; },
    valid: hostName, lands: { host: () => "ilv1", daemon: "keepalived" }, read: (r) => argsOf(ka(r, "ilv1"), "helo_name"),
  },
  {
    place: "pools.<name>.checks[MISC_CHECK].command", at: () => "topology.pools.web.checks[1].command", set: (t, v) => { t.pools.web.checks[1].command = v; },
    valid: args, prefix: "/usr/bin/true ", lands: LV1, read: (r) => argsOf(realServerOn(r, WEB1), "misc_path"),
  },
  {
    place: "pools.<name>.checks[DNS_CHECK].name", at: () => "topology.pools.web.checks[2].name", set: (t, v) => { t.pools.web.checks[2].name = v; },
    valid: dnsName, lands: LV1, read: (r) => argsOf(block(realServerOn(r, WEB1), "DNS_CHECK"), "name"),
  },
  ...([
    ["HTTP_GET/SSL_GET", "path", 0, "path", urlPath], ["HTTP_GET/SSL_GET", "digest", 0, "digest", fc.stringMatching(/^[0-9a-f]{32}$/)],
    ["HTTP_GET/SSL_GET", "virtualHost", 0, "virtualhost", hostName], ["SMTP_CHECK", "helo", 1, "helo_name", hostName], ["DNS_CHECK", "name", 2, "name", dnsName],
  ] as const).map(([type, field, k, keyword, valid]): FieldCase => ({
    place: `pools.<name>.realServers.<name>.checks[${type}].${field}`, at: () => `topology.pools.web.realServers.web2.checks[${k}].${field}`,
    set: (t, v) => { t.pools.web.realServers.web2.checks[k][field] = v; }, valid, lands: LV1,
    read: (r) => argsOf(block(realServerOn(r, WEB2), type === "HTTP_GET/SSL_GET" ? "HTTP_GET" : type), keyword),
  })),
  {
    place: "pools.<name>.realServers.<name>.checks[MISC_CHECK].command", at: () => "topology.pools.web.realServers.web2.checks[3].command",
    set: (t, v) => { t.pools.web.realServers.web2.checks[3].command = v; }, valid: args, prefix: "/usr/bin/true ", lands: LV1,
    read: (r) => argsOf(realServerOn(r, WEB2), "misc_path"),
  },
  {
    place: "pools.<name>.checks[MYSQL_REPLICATION].user", at: () => "topology.pools.mysql.checks[0].user", set: (t, v) => { t.pools.mysql.checks[0].user = v; },
    valid: fc.stringMatching(/^[A-Za-z0-9_]{1,32}$/),
    // A MySQL option file line: NAME = VALUE, spaces around the value dropped.
    read: (r) => [...fileText(r, "ilv1", "/etc/keepalived/dsas/mysql-mysql.cnf").matchAll(/^user\s*=\s*(.*?)\s*$/gm)].map((m) => m[1]),
  },
  {
    place: "pools.<name>.checks[MYSQL_REPLICATION].password.secret", at: () => "topology.pools.mysql.checks[0].password.secret", set: (t, v) => { t.pools.mysql.checks[0].password = { secret: v }; },
    valid: ident, read: (r) => secretNames(planText(r, "ilv1", "/etc/keepalived/dsas/mysql-mysql.cnf")),
  },
  {
    place: "drbdPairs.<key>", at: (v) => key("topology.drbdPairs", v), set: (t, v) => { delete t.drbdPairs.nfs.resource; t.drbdPairs = renameKey(t.drbdPairs, "nfs", v); },
    valid: ident, lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(dr(r), "resource"),
  },
  { place: "drbdPairs.<name>.resource", at: () => "topology.drbdPairs.nfs.resource", set: (t, v) => { t.drbdPairs.nfs.resource = v; }, valid: ident, lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(dr(r), "resource") },
  {
    place: "drbdPairs.<name>.nodes.<key>", at: (v) => key("topology.drbdPairs.nfs.nodes", v), set: (t, v) => renameHost(t, "nfs1", v), valid: ident,
    lands: { host: (v) => v, daemon: "drbd" }, read: (r, v) => argsOf(dr(r, v), "on").filter((h) => h !== "nfs2"),
  },
  {
    place: "drbdPairs.<name>.nodes.<name>.disk", at: () => "topology.drbdPairs.nfs.nodes.nfs1.disk", set: (t, v) => { t.drbdPairs.nfs.nodes.nfs1.disk = v; },
    valid: devPath, lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(block(dr(r), "on", "nfs1"), "disk"),
  },
  {
    place: "drbdPairs.<name>.nodes.<name>.address", at: () => "topology.drbdPairs.nfs.nodes.nfs1.address", set: (t, v) => { t.drbdPairs.nfs.nodes.nfs1.address = v; },
    valid: constant("192.168.31.41"), lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(block(dr(r), "on", "nfs1"), "address"),
  },
  {
    place: "drbdPairs.<name>.device", at: () => "topology.drbdPairs.nfs.device", set: (t, v) => { t.drbdPairs.nfs.device = v; },
    valid: fc.nat(999).map((n) => `/dev/drbd${n}`), lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(block(dr(r), "on", "nfs1"), "device"),
  },
  {
    place: "drbdPairs.<name>.metaDisk", at: () => "topology.drbdPairs.nfs.metaDisk", set: (t, v) => { t.drbdPairs.nfs.metaDisk = v; },
    valid: fc.oneof(constant("internal"), devPath), lands: { host: () => "nfs1", daemon: "drbd" }, read: (r) => argsOf(block(dr(r), "on", "nfs1"), "meta-disk"),
  },
  {
    place: "drbdPairs.<name>.sharedSecret.secret", at: () => "topology.drbdPairs.nfs.sharedSecret.secret", set: (t, v) => { t.drbdPairs.nfs.sharedSecret = { secret: v }; },
    valid: ident, read: (r) => secretNames(planText(r, "nfs1", "/etc/drbd.d/r0.res")),
  },
  {
    place: "drbdPairs.<name>.splitBrainNotify", at: () => "topology.drbdPairs.nfs.splitBrainNotify", set: (t, v) => { t.drbdPairs.nfs.splitBrainNotify = v; },
    valid: fc.oneof(fc.emailAddress().filter((a) => /^[A-Za-z0-9@._+-]+$/.test(a)), user), lands: { host: () => "nfs1", daemon: "drbd" },
    // The handler's command, as a shell splits it: the program, then the recipient.
    read: (r) => argsOf(inside(dr(r), ["resource"], ["handlers"]), "split-brain").map((c) => c.split(" ").slice(1).join(" ")),
  },
  {
    place: "drbdPairs.<name>.initialSyncSource", at: () => "topology.drbdPairs.nfs.initialSyncSource", set: (t, v) => { t.drbdPairs.nfs.initialSyncSource = v; },
    valid: constant("nfs1"), read: (r) => r.plan.drbdPairs.nfs.units.filter((u) => u.service.name === "drbd-promote").map((u) => u.host),
  },
  {
    place: "drbdPairs.<name>.filesystem.mountPoint", at: () => "topology.drbdPairs.nfs.filesystem.mountPoint", set: (t, v) => { t.drbdPairs.nfs.filesystem.mountPoint = v; },
    valid: filePath, read: (r) => [r.model.drbdPairs.nfs.filesystem!.mountPoint!],
  },
  {
    place: "drbdPairs.<name>.resyncRate", at: () => "topology.drbdPairs.nfs.resyncRate", set: (t, v) => { t.drbdPairs.nfs.resyncRate = v; },
    valid: fc.tuple(fc.integer({ min: 1, max: 99999999 }), fc.constantFrom("", "K", "M", "G")).map(([n, u]) => `${n}${u}`), lands: { host: () => "nfs1", daemon: "drbd" },
    read: (r) => argsOf(dr(r), "resync-rate"),
  },
  lineCase("drbdPairs.<name>.extraNetConfig[]", "topology.drbdPairs.nfs.extraNetConfig[0]", (t, ls) => { t.drbdPairs.nfs.extraNetConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.drbd), "nfs1", "drbd", (r) => drbdRes(r, "nfs1"), drbdStatements),
  {
    place: "cacheTiers.<key>", at: (v) => key("topology.cacheTiers", v), set: (t, v) => { t.cacheTiers = renameKey(t.cacheTiers, "images", v); }, valid: ident,
    lands: { host: () => "img1", daemon: "nginx" }, read: (r) => argsOf(ng(r), "upstream").map((u) => u.replace(/^dsas_cache_/, "")),
  },
  {
    place: "cacheTiers.<name>.squids[]", at: () => "topology.cacheTiers.images.squids[0]", set: (t, v) => { t.cacheTiers.images.squids[0] = v; }, valid: constant("cache1"),
    lands: { host: () => "cache2", daemon: "squid" }, read: (r) => sq(r, "cache2").filter((w) => w[0] === "cache_peer" && w[2] === "sibling").map((w) => w.find((x) => x.startsWith("name="))!.slice(5)),
  },
  {
    place: "cacheTiers.<name>.fronts[]", at: () => "topology.cacheTiers.images.fronts[0]", set: (t, v) => { t.cacheTiers.images.fronts[0] = v; }, valid: constant("img1"),
    lands: { host: (v) => v, daemon: "nginx" }, read: (r, v) => header(fileText(r, v, frontConfPath("images")), /cache tier images, front (\S+)\./),
  },
  {
    place: "cacheTiers.<name>.origin.address", at: () => "topology.cacheTiers.images.origin.address", set: (t, v) => { t.cacheTiers.images.origin.address = v; },
    valid: hostName, lands: { host: () => "cache1", daemon: "squid" }, read: (r) => sq(r).filter((w) => w[0] === "cache_peer" && w[2] === "parent").map((w) => w[1]),
  },
  {
    place: "cacheTiers.<name>.serverName", at: () => "topology.cacheTiers.images.serverName", set: (t, v) => { t.cacheTiers.images.serverName = v; },
    valid: fc.oneof(fc.domain(), fc.domain().map((d) => `*.${d}`), fc.domain().map((d) => `.${d}`)), lands: { host: () => "img1", daemon: "nginx" },
    read: (r) => argsOf(ng(r), "server_name"),
  },
  lineCase("cacheTiers.<name>.squidExtraConfig[]", "topology.cacheTiers.images.squidExtraConfig[0]", (t, ls) => { t.cacheTiers.images.squidExtraConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.squid), "cache1", "squid", () => SQUID_CONF, squidStatements),
  lineCase("cacheTiers.<name>.nginxExtraConfig[]", "topology.cacheTiers.images.nginxExtraConfig[0]", (t, ls) => { t.cacheTiers.images.nginxExtraConfig = ls; },
    fc.constantFrom(...KNOWN_LINES.nginx), "img1", "nginx", (r) => frontConfPath(Object.keys(r.model.cacheTiers)[0]), nginxStatements),
  ...storageCases(),
];

/** Storage pairs are in the model only, so far: their fields read back from it. */
function storageCases(): FieldCase[] {
  const S = "topology.storagePairs.db";
  const db = (r: Rendered) => r.model.storagePairs.db;
  const field = (place: string, path: string, set: (p: any, v: string) => void, valid: fc.Arbitrary<string>, read: (p: Rendered["model"]["storagePairs"][string]) => string | undefined): FieldCase => ({
    place: `storagePairs.<name>.${place}`, at: () => `${S}.${path}`, set: (t, v) => set(t.storagePairs.db, v), valid, read: (r) => (db(r) ? [read(db(r))!] : []),
  });
  return [
    { place: "storagePairs.<key>", at: (v) => key("topology.storagePairs", v), set: (t, v) => { t.storagePairs = renameKey(t.storagePairs, "db", v); }, valid: ident, read: (r) => Object.keys(r.model.storagePairs) },
    field("resource", "resource", (p, v) => { p.resource = v; }, ident, (p) => p.resource),
    {
      place: "storagePairs.<name>.nodes.<key>", at: (v) => key(`${S}.nodes`, v), set: (t, v) => renameHost(t, "sto1", v), valid: ident,
      read: (r) => Object.keys(db(r).nodes).filter((n) => n !== "sto2"),
    },
    field("nodes.<name>.disk", "nodes.sto1.disk", (p, v) => { p.nodes.sto1.disk = v; }, devPath, (p) => p.nodes.sto1.disk),
    field("nodes.<name>.address", "nodes.sto1.address", (p, v) => { p.nodes.sto1.address = v; }, constant("192.168.31.51"), (p) => p.nodes.sto1.address),
    field("device", "device", (p, v) => { p.device = v; }, fc.nat(999).map((n) => `/dev/drbd${n}`), (p) => p.device),
    field("metaDisk", "metaDisk", (p, v) => { p.metaDisk = v; }, fc.oneof(constant("internal"), devPath), (p) => p.metaDisk),
    field("sharedSecret.secret", "sharedSecret.secret", (p, v) => { p.sharedSecret = { secret: v }; }, ident, (p) => p.sharedSecret.secret),
    field("splitBrainNotify", "splitBrainNotify", (p, v) => { p.splitBrainNotify = v; }, user, (p) => p.splitBrainNotify),
    field("initialSyncSource", "initialSyncSource", (p, v) => { p.initialSyncSource = v; }, fc.constantFrom("sto1", "sto2"), (p) => p.initialSyncSource),
    field("resyncRate", "resyncRate", (p, v) => { p.resyncRate = v; }, fc.constantFrom("100M", "1G", "512K"), (p) => p.resyncRate),
    field("extraNetConfig[]", "extraNetConfig[0]", (p, v) => { p.extraNetConfig = [v]; }, fc.constantFrom(...KNOWN_LINES.drbd), (p) => p.extraNetConfig[0]),
    field("filesystem.mountPoint", "filesystem.mountPoint", (p, v) => { p.filesystem.mountPoint = v; }, fc.constantFrom("/srv/db", "/srv"), (p) => p.filesystem.mountPoint),
    field("address", "address", (p, v) => { p.address = v; }, fc.constantFrom("192.168.31.50", "192.168.31.54"), (p) => p.address),
    field("arbiter", "arbiter", (p, v) => { p.arbiter = v; }, constant("arb1"), (p) => p.arbiter),
    field("clusterKey.secret", "clusterKey.secret", (p, v) => { p.clusterKey = { secret: v }; }, ident, (p) => p.clusterKey.secret),
    field("preferredNode", "preferredNode", (p, v) => { p.preferredNode = v; }, fc.constantFrom("sto1", "sto2"), (p) => p.preferredNode),
    field("nfs.exports[].path", "nfs.exports[0].path", (p, v) => { p.nfs.exports[0].path = v; }, fc.constantFrom("/srv/db", "/srv/db/share", "/srv/db/a.b"), (p) => p.nfs?.exports[0].path),
    field("nfs.exports[].clients[]", "nfs.exports[0].clients[0]", (p, v) => { p.nfs.exports[0].clients = [v]; }, fc.oneof(fc.domain(), fc.constantFrom("192.168.31.0/24", "*.example.com")), (p) => p.nfs?.exports[0].clients[0]),
    field("nfs.exports[].options[]", "nfs.exports[0].options[0]", (p, v) => { p.nfs.exports[0].options = [v]; }, fc.constantFrom("rw", "sync", "fsid=1", "no_subtree_check"), (p) => p.nfs?.exports[0].options[0]),
  ];
}

// ---------------------------------------------------------------------------
// Hostile values: metacharacters of every file, line breaks, unicode (lone
// surrogates too) and very long strings, alone or spliced into usual values.

export const META = ["\n", "\r", "\t", "\0", "\f", "\v", " ", '"', "'", "\\", "#", "!", "{", "}", ";", "$", "`", "|", "&", "<", ">", "(", ")", "*", "?", "[", "]",
  "~", "%", "^", "=", ",", ":", "@", "/", "..", "-", "\u00e9", "\u65e5", "\u2028", "\u202e", "\u{1f600}", "\ud800", "\u0085", "\u00a0", "${_INSTANCE}", "$host", "\\\n", "\r\n"];
const metaChar = fc.constantFrom(...META);
const soup = fc.array(fc.oneof(metaChar, fc.constantFrom("a", "b", "1", ".", "/", "-")), { maxLength: 24 }).map((a) => a.join(""));
const long = fc.tuple(fc.constantFrom(127, 128, 129, 253, 254, 255, 256, 999, 1000, 1001, 1023, 1024, 4000, 4001, 8001, 9000), fc.constantFrom("a", "/a", "a.", "\u00e9", "a{", "# "))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** `valid` values, with hostile characters spliced in at random places. */
export function spliced(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(fc.tuple(fc.nat(), metaChar), { minLength: 1, maxLength: 3 }))
    .map(([v, ins]) => ins.reduce((s, [at, c]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)), v));
}

/** What the property tests try in a field: its usual values, those spliced with metacharacters, metacharacter soup, any unicode, long strings. */
export function hostile(valid: fc.Arbitrary<string>, weights = { valid: 3, spliced: 3, soup: 2, unicode: 1, long: 1 }): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid, weight: weights.valid },
    { arbitrary: spliced(valid), weight: weights.spliced },
    { arbitrary: soup, weight: weights.soup },
    { arbitrary: fc.string({ unit: "binary", maxLength: 20 }), weight: weights.unicode },
    { arbitrary: long, weight: weights.long },
  );
}

/** Lines for an extraConfig field: known directives, comments full of junk, and (for the unit tests) junk itself. */
export function hostileLines(c: FieldCase, junk = true): fc.Arbitrary<string> {
  const known = c.valid;
  const comment = fc.tuple(fc.constantFrom(...c.lines!.comments), fc.constantFrom("", " "), fc.oneof(soup, fc.string({ unit: "binary", maxLength: 20 }), long))
    .map(([mark, space, j]) => mark + space + j);
  return fc.oneof(known, comment, fc.tuple(known, comment).map(([k, c]) => `${k} ${c}`), ...(junk ? [spliced(known), soup, long] : []));
}

/** The problems that name the field (its path, then a space or a deeper part). */
export const naming = (problems: readonly string[], at: string) => problems.filter((p) => p.startsWith(`${at} `) || p.startsWith(`${at}.`) || p.startsWith(`${at}[`));

const baselines = new Map<string, Rendered>();
/** The full stack with a line field's list empty, rendered once. */
function baseline(c: FieldCase): Rendered {
  let r = baselines.get(c.place);
  if (!r) {
    const raw = fullRaw();
    c.lines!.setLines(raw, []);
    const out = load(raw);
    if (!("rendered" in out)) throw new Error(`${c.place}: the full stack without its lines is refused: ${out.refused.join("; ")}`);
    baselines.set(c.place, r = out.rendered);
  }
  return r;
}

/**
 * Why the rendered files do not hold `v` as it went in, or undefined when they do: a field's
 * value is read back wherever it lands; a line is one line of its own in its block, and the
 * daemon reads the rest of the file as it reads it without the line.
 */
export function readBackProblem(c: FieldCase, r: Rendered, v: string, without?: Rendered): string | undefined {
  if (!c.lines) {
    const got = c.read(r, v);
    if (!got.length) return "the rendered files do not hold it where it belongs";
    const other = got.find((g) => g !== v);
    return other === undefined ? undefined : `it reads back as ${JSON.stringify(other)}`;
  }
  const { host, path, indent, statements } = c.lines;
  const base = without ?? baseline(c);
  const [now, before] = [fileText(r, host, path(r)), fileText(base, host, path(base))].map((t) => t.split("\n"));
  const i = now.findIndex((l, k) => l !== before[k]);
  if (now.length !== before.length + 1 || now[i] !== " ".repeat(indent) + v || now.slice(i + 1).join("\n") !== before.slice(i).join("\n")) {
    return "it is not one line of its own in its block";
  }
  const [s1, s0, sv] = [statements(now.join("\n")), statements(before.join("\n")), statements(now[i])];
  // The line must leave the block it is in as it found it: it closes only what it opens.
  let depth = 0;
  for (const w of sv) {
    if (w.length === 1 && w[0] === "{") depth++;
    if (w.length === 1 && w[0] === "}" && --depth < 0) return "it closes the block it is written in";
  }
  if (depth) return "it opens a block it does not close";
  const same = (a: string[][], b: string[][]) => JSON.stringify(a) === JSON.stringify(b);
  for (let k = 0; k <= s0.length; k++) {
    if (same(s1, [...s0.slice(0, k), ...sv, ...s0.slice(k)])) return undefined;
  }
  return "the daemon reads the rest of the file otherwise with it than without it";
}
