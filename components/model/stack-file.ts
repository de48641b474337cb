// Reads a Pulumi.<stack>.yaml without the engine, for offline review by
// `dsas check` and `dsas render`: the topology, and which secrets it can see.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { StackSource, SecretEntry } from "./load.ts";

export const NAMESPACE = "dsas";
export const TOPOLOGY_KEY = `${NAMESPACE}:topology`;

export function readStackFile(path: string): StackSource {
  const doc = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = doc?.config ?? {};
  if (!(TOPOLOGY_KEY in config)) throw new Error(`${path}: config has no '${TOPOLOGY_KEY}' key`);
  const secrets = new Map<string, SecretEntry>();
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(`${NAMESPACE}:`) || key === TOPOLOGY_KEY) continue;
    const name = key.slice(NAMESPACE.length + 1);
    // Only the engine can decrypt an encrypted value.
    if (value && typeof value === "object" && "secure" in value) secrets.set(name, { secure: true });
    else if (typeof value === "string") secrets.set(name, { secure: false, value });
  }
  return { namespace: NAMESPACE, topology: config[TOPOLOGY_KEY], secrets };
}
