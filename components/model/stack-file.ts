// Reads a Pulumi.<stack>.yaml without the engine, for offline review by
// `dsas check` and `dsas render`: the topology, and which secrets it can see.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { secretRefs } from "./validate.ts";
import type { Topology } from "./schema.ts";

export const NAMESPACE = "dsas";
export const TOPOLOGY_KEY = `${NAMESPACE}:topology`;

/** A config value as the stack file holds it: encrypted, or (for review only) plain. */
export type SecretEntry = { readonly secure: true } | { readonly secure: false; readonly value: string };

export interface StackFile {
  readonly topology: unknown;
  readonly secrets: ReadonlyMap<string, SecretEntry>;
}

export function readStackFile(path: string): StackFile {
  const doc = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  if (!(TOPOLOGY_KEY in config)) throw new Error(`${path}: config has no '${TOPOLOGY_KEY}' key`);
  const secrets = new Map<string, SecretEntry>();
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(`${NAMESPACE}:`) || key === TOPOLOGY_KEY) continue;
    const name = key.slice(NAMESPACE.length + 1);
    if (value && typeof value === "object" && "secure" in value) secrets.set(name, { secure: true });
    else if (typeof value === "string") secrets.set(name, { secure: false, value });
  }
  return { topology: config[TOPOLOGY_KEY], secrets };
}

export interface SecretCheck {
  readonly problems: string[];
  /** Secrets given as plain values: accepted for offline review only. */
  readonly plain: string[];
}

/** Every secret the topology references must exist, and outside review must be encrypted. */
export function checkSecrets(t: Topology, secrets: ReadonlyMap<string, SecretEntry>): SecretCheck {
  const problems: string[] = [];
  const plain = new Set<string>();
  for (const ref of secretRefs(t)) {
    const entry = secrets.get(ref.name);
    if (!entry) problems.push(`${ref.path}.secret names '${ref.name}', but the stack has no config key '${NAMESPACE}:${ref.name}' (pulumi config set --secret ${ref.name} ...)`);
    else if (!entry.secure) plain.add(ref.name);
  }
  return { problems, plain: [...plain].sort() };
}
