#!/usr/bin/env node
// dsas: offline review of a stack, without the Pulumi engine or SSH.
//   dsas check <Pulumi.stack.yaml>             validate the topology
//   dsas render <Pulumi.stack.yaml> --out DIR  write every host's files to DIR/<host>/<path>
//   dsas diagram <Pulumi.stack.yaml>           SVG of the topology on stdout (Graphviz's dot)
//   dsas reference                             print the reference of every stack key
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadStack, unpinnedHost } from "../components/model/load.ts";
import { readStackFile } from "../components/model/stack-file.ts";
import { referenceMarkdown } from "../components/model/reference.ts";
import { TopologyError } from "../components/model/validate.ts";
import { diagramDot } from "../components/plan/diagram.ts";
import { renderedFiles } from "../components/plan/plan.ts";

// What `dsas render` writes where a secret is encrypted in the stack file:
// only the engine can decrypt it. Eight characters, so it fits every field.
const REDACTED = "REDACTED";

function usage(): never {
  process.stderr.write("usage: dsas check <stack.yaml>\n       dsas render <stack.yaml> --out DIR\n       dsas diagram <stack.yaml>\n       dsas reference\n");
  process.exit(2);
}

function main(argv: string[]): number {
  const [command, stackPath, ...rest] = argv;
  if (command === "reference" && argv.length === 1) {
    process.stdout.write(referenceMarkdown());
    return 0;
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
