#!/usr/bin/env node
// dsas-kit's `pulumi up` beside an equivalent Ansible playbook
// (bench/ansible/site.yml) on the lab stack after `npm run lab`: the same
// hosts, the same rendered files, run alternately. For each tool: first apply
// (the stack's files removed from the hosts by `pulumi destroy` before each
// run), no-change re-apply, and one real server (web2) added to the web pool;
// wall time and the SSH connections each host's sshd accepted.
//   node bench/ansible.ts [RUNS]        (inside `eval "$(npm run -s env)"`)
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { normalize } from "../components/model/normalize.ts";
import { parseTopology, secretRefs } from "../components/model/validate.ts";
import { planStack, units } from "../components/plan/plan.ts";
import { fill } from "../components/plan/files.ts";
import { logins } from "../test/helpers/lab.ts";

const ROOT = resolve(import.meta.dirname, "..");
const STACK_FILE = join(ROOT, "Pulumi.lab.yaml");
const LAB = join(ROOT, ".local/lab");
const runs = Number(process.argv[2] ?? 2);

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
const pulumi = (...args: string[]) => sh("pulumi", [...args, "--stack", "lab", "--non-interactive"]);

if (spawnSync("sh", ["-c", "command -v ansible-playbook"]).status !== 0) {
  console.error("[bench] installing ansible-core (Debian)");
  sh("apt-get", ["install", "-y", "-q", "ansible-core"], { ...process.env, DEBIAN_FRONTEND: "noninteractive" });
}

const original = readFileSync(STACK_FILE, "utf8");
const full = parse(original).config["dsas:topology"];
// The web pool without web2: the state "add a real server" starts from.
const withoutWeb2 = structuredClone(full);
delete withoutWeb2.pools.web.realServers.web2;
const hostNames = Object.keys(full.hosts) as string[];
const secrets = Object.fromEntries([...new Set(secretRefs(parseTopology(full)).map((s) => s.name))]
  .map((n) => [n, pulumi("config", "get", n).trim()]));

const work = mkdtempSync(join(tmpdir(), "dsas-ansible-"));
chmodSync(work, 0o700);

/** Renders a topology's files for Ansible and writes its inventory; the inventory's path. */
function prepare(topology: unknown, name: string): string {
  const topo = normalize(parseTopology(topology));
  const byHost: Record<string, { service: string; path: string; mode: string; owner: string; group: string; content: string }[]> = {};
  for (const u of units(planStack(topo))) {
    for (const f of u.files) (byHost[u.host] ??= []).push({ ...f, service: u.service.name, content: fill(f.content, (n) => secrets[n]) });
  }
  const renderDir = join(work, name);
  const hosts: Record<string, unknown> = {};
  for (const [host, files] of Object.entries(byHost)) {
    for (const f of files) {
      mkdirSync(dirname(join(renderDir, host, f.path)), { recursive: true });
      writeFileSync(join(renderDir, host, f.path), f.content, { mode: 0o600 });
    }
    const drbd = Object.values(topo.drbdPairs).filter((d) => host in d.nodes);
    hosts[host] = {
      ansible_host: "127.0.0.1",
      ansible_port: topo.hosts[host].ssh.port,
      dsas_files: files.map(({ service, path, mode, owner, group }) => ({ service, path, mode, owner, group })),
      drbd_resources: drbd.map((d) => d.resource),
      drbd_promote: drbd.filter((d) => d.initialSyncSource === host).map((d) => `${d.resource} ${d.filesystem?.create ? d.filesystem.type : ""}`.trim()),
    };
  }
  const inventory = join(work, `${name}.inventory.yml`);
  writeFileSync(inventory, stringify({
    all: {
      vars: {
        render_dir: renderDir,
        ansible_user: "root",
        ansible_ssh_private_key_file: join(LAB, "id_ed25519"),
        ansible_ssh_common_args: `-o UserKnownHostsFile=${join(LAB, "known_hosts")} -o StrictHostKeyChecking=yes`,
        ansible_python_interpreter: "/usr/bin/python3",
      },
      hosts,
    },
  }));
  return inventory;
}

/** Wall seconds of one run and the connections each host accepted during it (the counting logins taken off). */
function measured(run: () => string): { seconds: number; connections: Record<string, number>; out: string } {
  const before = Object.fromEntries(hostNames.map((h) => [h, logins(h)]));
  const start = process.hrtime.bigint();
  const out = run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, out, connections: Object.fromEntries(hostNames.map((h) => [h, logins(h) - before[h] - 1])) };
}

function ansible(inventory: string): string {
  // A fresh control socket folder per run, so every run opens its own connections; forks for every host at once.
  const control = mkdtempSync(join(work, "cp-"));
  return sh("ansible-playbook", ["-i", inventory, join(ROOT, "bench/ansible/site.yml")], {
    ...process.env, ANSIBLE_FORKS: String(hostNames.length), ANSIBLE_PIPELINING: "True", ANSIBLE_SSH_CONTROL_PATH_DIR: control,
    ANSIBLE_HOST_KEY_CHECKING: "True", ANSIBLE_NOCOLOR: "1", ANSIBLE_RETRY_FILES_ENABLED: "False",
  });
}

const setTopology = (topology: unknown) => {
  const doc = parse(original);
  doc.config["dsas:topology"] = topology;
  writeFileSync(STACK_FILE, stringify(doc));
};
const up = () => pulumi("up", "--yes");

type Row = { step: string; tool: string; seconds: number; connections: Record<string, number>; changedHosts?: number };
const rows: Row[] = [];
const record = (step: string, tool: string, m: ReturnType<typeof measured>) => {
  const changed = tool === "ansible" ? [...m.out.matchAll(/^(\S+)\s+: ok=\d+\s+changed=(\d+)/gm)].filter((x) => Number(x[2]) > 0).length : undefined;
  rows.push({ step, tool, seconds: m.seconds, connections: m.connections, ...(changed !== undefined ? { changedHosts: changed } : {}) });
  console.error(`[bench] ${step}, ${tool}: ${m.seconds.toFixed(1)} s, connections ${JSON.stringify(m.connections)}${changed !== undefined ? `, ${changed} hosts changed` : ""}`);
};

try {
  const fullInventory = prepare(full, "full");
  for (let i = 0; i < runs; i++) {
    pulumi("destroy", "--yes");
    record("first apply", "dsas", measured(up));
    pulumi("destroy", "--yes");
    record("first apply", "ansible", measured(() => ansible(fullInventory)));
    // dsas-kit takes the hosts back: its files are already there, so this only records them in the state.
    up();
  }
  for (let i = 0; i < runs; i++) {
    record("no-change re-apply", "dsas", measured(up));
    record("no-change re-apply", "ansible", measured(() => ansible(fullInventory)));
  }
  for (let i = 0; i < runs; i++) {
    for (const tool of ["dsas", "ansible"]) {
      setTopology(withoutWeb2);
      up();
      setTopology(full);
      record("web2 added to the web pool", tool, measured(tool === "dsas" ? up : () => ansible(fullInventory)));
      if (tool === "ansible") up();
    }
  }
} finally {
  writeFileSync(STACK_FILE, original);
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(ROOT, "docs/data/ansible.json"), `${JSON.stringify(rows)}\n`);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(1)} (${s[0].toFixed(1)}-${s.at(-1)!.toFixed(1)})`;
};
console.log("| step | dsas-kit s, median (min-max) | Ansible s | Ansible / dsas-kit | SSH connections per host, dsas-kit | SSH connections per host, Ansible | hosts touched, dsas-kit / Ansible |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const step of [...new Set(rows.map((r) => r.step))]) {
  const of = (tool: string) => rows.filter((r) => r.step === step && r.tool === tool);
  const [d, a] = [of("dsas"), of("ansible")];
  const med = (rs: Row[]) => [...rs.map((r) => r.seconds)].sort((x, y) => x - y)[Math.floor(rs.length / 2)];
  const conns = (rs: Row[]) => [...new Set(rs.flatMap((r) => Object.values(r.connections)))].sort().join("-");
  const touched = (r: Row) => Object.values(r.connections).filter((n) => n > 0).length;
  console.log(`| ${step} | ${stats(d.map((r) => r.seconds))} | ${stats(a.map((r) => r.seconds))} | ${(med(a) / med(d)).toFixed(1)} | ${conns(d)} | ${conns(a)} `
    + `| ${[...new Set(d.map(touched))].join("-")} / ${[...new Set(a.map(touched))].join("-")} connected, ${[...new Set(a.map((r) => r.changedHosts))].join("-")} changed |`);
}
