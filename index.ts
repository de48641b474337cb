// The dsas Pulumi program: the stack's topology, validated before anything
// else runs, deployed host by host by the Topology component.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { checkSecrets, NAMESPACE, type SecretEntry } from "./components/model/stack-file.ts";
import { parseTopology, secretRefs, TopologyError } from "./components/model/validate.ts";
import type { RenderedStack } from "./components/render/files.ts";
import { renderStack } from "./components/render/stack.ts";
import { Topology } from "./components/topology.ts";

const config = new pulumi.Config(NAMESPACE);
const topology = parseTopology(config.requireObject("topology"));

// The SDK's own test of whether a config key was set with --secret; it is
// exported at run time but left out of the published typings.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

const names = [...new Set(secretRefs(topology).map((r) => r.name))].sort();
const entries = new Map<string, SecretEntry>();
for (const name of names) {
  if (isConfigSecret(`${NAMESPACE}:${name}`)) entries.set(name, { secure: true });
  else if (config.get(name) !== undefined) entries.set(name, { secure: false, value: "" });
}
const secretCheck = checkSecrets(topology, entries);
const problems = [
  ...secretCheck.problems,
  ...secretCheck.plain.map((n) => `${NAMESPACE}:${n} is referenced as a secret but stored in clear; set it with pulumi config set --secret ${n} ...`),
];
// Files that hold no secret do not depend on the secrets' values (tested), so
// they are rendered in clear and a preview shows their changes.
const plainFiles = renderStack(topology, () => "REDACTED");

// Deploying needs each host's key pinned, or an explicit lab-only opt-out.
for (const host of Object.keys(plainFiles)) {
  const ssh = topology.hosts[host].ssh;
  if (!ssh.hostKey && !ssh.insecureFirstContact) {
    problems.push(`topology.hosts.${host}.ssh.hostKey must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact`);
  }
}
if (problems.length) throw new TopologyError(problems);

const digest = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;
const digests = (r: RenderedStack, secret: boolean) => Object.fromEntries(Object.entries(r).map(([host, files]) =>
  [host, Object.fromEntries(files.filter((f) => f.secret === secret).map((f) => [f.path, digest(f.content)]))]));

const secretValues = pulumi.all(Object.fromEntries(names.map((n) => [n, config.requireSecret(n)])));
const stack = new Topology("dsas", { topology, secrets: secretValues });

export const directorPairs = Object.fromEntries(Object.entries(stack.directorPairs).map(([name, pair]) =>
  [name, { master: pair.master, backup: pair.backup, vips: pair.vips }]));
export const fileDigests = digests(plainFiles, false);
export const secretFileDigests = pulumi.secret(secretValues.apply((v) => digests(renderStack(topology, (n) => v[n]), true)));
