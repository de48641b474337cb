// The one way a stack is loaded, by the Pulumi program and by `dsas check`
// and `dsas render` alike: validated, normalized, its secrets checked (by
// value wherever the value is known) and its hosts' pinned keys, then
// planned. Every problem is reported at once, each with its field path.
import { planStack, units, type Plan } from "../plan/plan.ts";
import { normalize, type Model } from "./normalize.ts";
import { secretProblem } from "./secrets.ts";
import { parseTopology, TopologyError } from "./validate.ts";

/** A secret config key as the loader sees it: encrypted or not, and its value where known. */
export interface SecretEntry {
  readonly secure: boolean;
  readonly value?: string;
}

export interface StackSource {
  /** The config namespace, `dsas` for the dsas program: the keys are NAMESPACE:topology and NAMESPACE:SECRET. */
  readonly namespace: string;
  /** The raw `NAMESPACE:topology` config value. */
  readonly topology: unknown;
  /** The namespace's other config keys, by name. */
  readonly secrets: ReadonlyMap<string, SecretEntry>;
}

export interface LoadedStack {
  readonly model: Model;
  readonly plan: Plan;
  /** The secrets' values that are known (all of them in a Pulumi program), by config key name. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Review only: secrets stored in clear, which `pulumi up` refuses. */
  readonly plainSecrets: readonly string[];
  /** Review only: hosts with work whose host key is not pinned, which `pulumi up` refuses. */
  readonly unpinnedHosts: readonly string[];
}

/**
 * `review` (dsas check, render) accepts secrets stored in clear and hosts
 * without a pinned key, with a warning; `deploy` (the Pulumi program) refuses them.
 */
export function loadStack(source: StackSource, mode: "review" | "deploy"): LoadedStack {
  const model = normalize(parseTopology(source.topology));
  const plan = planStack(model);
  const problems: string[] = [];
  const unpinned: string[] = [];
  const secrets: Record<string, string> = {};
  const plain = new Set<string>();
  for (const ref of model.secrets) {
    const entry = source.secrets.get(ref.name);
    if (!entry) {
      problems.push(`${ref.path}.secret names '${ref.name}', but the stack has no config key '${source.namespace}:${ref.name}' (pulumi config set --secret ${ref.name} ...)`);
      continue;
    }
    if (!entry.secure) plain.add(ref.name);
    if (entry.value === undefined) continue;
    const why = secretProblem(ref.kind, entry.value);
    if (why) problems.push(`${ref.path} (secret '${ref.name}') ${why}`);
    else secrets[ref.name] = entry.value;
  }
  if (mode === "deploy") {
    for (const name of [...plain].sort()) problems.push(`${source.namespace}:${name} is referenced as a secret but stored in clear; set it with pulumi config set --secret ${name} ...`);
  }
  for (const host of [...new Set(units(plan).map((u) => u.host))].sort()) {
    const ssh = model.hosts[host].ssh;
    if (!ssh.hostKey && !ssh.insecureFirstContact) unpinned.push(host);
  }
  if (mode === "deploy") problems.push(...unpinned.map(unpinnedHost));
  if (problems.length) throw new TopologyError(problems);
  return { model, plan, secrets, plainSecrets: [...plain].sort(), unpinnedHosts: unpinned };
}

/** Why `pulumi up` refuses a host: the one wording of the pinning rule. */
export function unpinnedHost(host: string): string {
  return `topology.hosts.${host}.ssh.hostKey must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact`;
}
