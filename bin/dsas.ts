#!/usr/bin/env node
// dsas: offline review of a stack, without the Pulumi engine or SSH, and its
// live status.
//   dsas check <Pulumi.stack.yaml>             validate the topology
//   dsas render <Pulumi.stack.yaml> --out DIR  write every host's files to DIR/<host>/<path>
//   dsas diagram <Pulumi.stack.yaml>           SVG of the topology on stdout (Graphviz's dot)
//   dsas reference                             print the reference of every stack key
//   dsas status <Pulumi.stack.yaml> [--json]   the live state from every host (exit 1 when degraded)
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { loadStack, unpinnedHost } from "../components/model/load.ts";
import { readStackFile } from "../components/model/stack-file.ts";
import { referenceMarkdown } from "../components/model/reference.ts";
import { TopologyError } from "../components/model/validate.ts";
import { diagramDot } from "../components/plan/diagram.ts";
import { PACKAGE_ROOT, program } from "../components/plan/files.ts";
import { renderedFiles } from "../components/plan/plan.ts";
import { partsFor, status, table, sections, type HostAnswer } from "./status.ts";

// What `dsas render` writes where a secret is encrypted in the stack file:
// only the engine can decrypt it. Eight characters, so it fits every field.
const REDACTED = "REDACTED";

const USAGE = "usage: dsas check <stack.yaml>\n       dsas render <stack.yaml> --out DIR\n       dsas diagram <stack.yaml>\n       dsas status <stack.yaml> [--json]\n       dsas reference\n";

function usage(): never {
  process.stderr.write(USAGE);
  process.exit(2);
}

/** The dsas provider of this package's version, as `pulumi up` installed it. */
function providerBinary(): string {
  const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
  const home = process.env.PULUMI_HOME ?? join(homedir(), ".pulumi");
  const path = join(home, "plugins", `resource-dsas-v${version}`, "pulumi-resource-dsas");
  if (!existsSync(path)) throw new Error(`the dsas provider ${version} is not installed in ${home}/plugins (pulumi up installs it, or pulumi plugin install resource dsas ${version} --file ...)`);
  return path;
}

/** Reads every host's live state (one connection each, all at once) and prints it; 1 when something is degraded. */
function statusCommand(stackPath: string, json: boolean): number {
  const stack = loadStack(readStackFile(stackPath), "review");
  const model = stack.model;
  const stackName = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(stackPath))?.[1];
  // Only the engine decrypts a secret; the login keys are asked of it.
  const key = (name: string): string => {
    if (stack.secrets[name] !== undefined) return stack.secrets[name];
    if (!stackName) throw new Error(`${stackPath}: cannot tell the stack's name (Pulumi.<stack>.yaml) to decrypt ${name}`);
    const r = spawnSync("pulumi", ["config", "get", `dsas:${name}`, "--stack", stackName, "--cwd", dirname(resolve(stackPath))], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`pulumi config get dsas:${name}: ${r.error?.message ?? r.stderr.trim()}`);
    return r.stdout.replace(/\n$/, "");
  };
  const script = program("dsas-status");
  const programs = [...partsFor(model)].sort(([a], [b]) => a.localeCompare(b)).map(([host, args]) => {
    const ssh = model.hosts[host].ssh;
    return {
      name: host, script, args,
      connection: {
        host: ssh.address, port: ssh.port, user: ssh.user,
        ...(ssh.privateKey ? { privateKey: key(ssh.privateKey.secret) } : {}),
        ...(ssh.hostKey ? { hostKey: ssh.hostKey } : {}),
        insecureFirstContact: ssh.insecureFirstContact,
      },
    };
  });
  const r = spawnSync(providerBinary(), ["exec"], { input: JSON.stringify(programs), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`pulumi-resource-dsas exec: ${r.error?.message ?? r.stderr.trim()}`);
  const answers: HostAnswer[] = (JSON.parse(r.stdout) as { name: string; stdout: string; error?: string }[])
    .map((a) => (a.error ? { host: a.name, error: a.error } : { host: a.name, parts: sections(a.stdout) }));
  const s = status(model, answers);
  process.stdout.write(json ? `${JSON.stringify(s, null, 2)}\n` : table(s));
  return s.problems.length ? 1 : 0;
}

function main(argv: string[]): number {
  const [command, stackPath, ...rest] = argv;
  if (argv.length === 1 && ["--help", "-h", "help"].includes(command)) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === "reference" && argv.length === 1) {
    process.stdout.write(referenceMarkdown());
    return 0;
  }
  if (command === "status" && stackPath && (rest.length === 0 || (rest.length === 1 && rest[0] === "--json"))) {
    return statusCommand(stackPath, rest.length === 1);
  }
  if (command === "diagram" && stackPath && !rest.length) {
    const dot = spawnSync("dot", ["-Tsvg"], { input: diagramDot(loadStack(readStackFile(stackPath), "review").model), encoding: "utf8" });
    if (dot.error) throw new Error(`Graphviz's dot is needed to draw the diagram (apt-get install graphviz): ${dot.error.message}`);
    if (dot.status !== 0) throw new Error(`dot failed: ${dot.stderr}`);
    process.stdout.write(dot.stdout);
    return 0;
  }
  if (!stackPath || (command !== "check" && command !== "render")) usage();
  let out: string | undefined;
  if (command === "render") {
    if (rest[0] !== "--out" || !rest[1] || rest.length !== 2) usage();
    out = rest[1];
  } else if (rest.length) usage();

  const source = readStackFile(stackPath);
  const stack = loadStack(source, "review");
  if (stack.plainSecrets.length) {
    process.stderr.write(`warning: secrets given as plain values, accepted for offline review only (pulumi up requires them encrypted): ${stack.plainSecrets.join(", ")}\n`);
  }
  // What pulumi up would refuse, one line per host, so a review finds it first.
  for (const host of stack.unpinnedHosts) process.stderr.write(`warning: ${unpinnedHost(host)}; pulumi up refuses the host until then\n`);
  const topology = stack.model;
  const rendered = renderedFiles(stack.plan, (name) => stack.secrets[name] ?? REDACTED);
  const hosts = Object.keys(rendered);
  const files = hosts.reduce((n, h) => n + rendered[h].length, 0);
  if (out) {
    const made = new Set<string>();
    for (const [host, hostFiles] of Object.entries(rendered)) {
      for (const f of hostFiles) {
        const target = join(out, host, f.path);
        const dir = dirname(target);
        if (!made.has(dir)) mkdirSync(dir, { recursive: true });
        made.add(dir);
        writeFileSync(target, f.content);
        chmodSync(target, parseInt(f.mode, 8));
      }
    }
    if ([...source.secrets.values()].some((e) => e.secure)) {
      process.stderr.write(`note: encrypted secrets are written as ${REDACTED}; only pulumi up decrypts them\n`);
    }
    process.stdout.write(`rendered ${files} files for ${hosts.length} hosts into ${out}\n`);
  } else {
    process.stdout.write(`ok: ${Object.keys(topology.hosts).length} hosts, ${Object.keys(topology.directorPairs).length} director pairs, ${Object.keys(topology.pools).length} pools, ${Object.keys(topology.drbdPairs).length} DRBD pairs, ${Object.keys(topology.storagePairs).length} storage pairs, ${Object.keys(topology.cacheTiers).length} cache tiers; ${files} files would be rendered\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e instanceof TopologyError ? e.message : `error: ${(e as Error).message}`}\n`);
  process.exitCode = 1;
}
