import { join, resolve } from "node:path";
import { normalize, type Model } from "../../components/model/normalize.ts";
import { readStackFile } from "../../components/model/stack-file.ts";
import { parseTopology, TopologyError } from "../../components/model/validate.ts";
import { fill, type HostFile } from "../../components/plan/files.ts";
import type { Slice } from "../../components/plan/plan.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const EXAMPLE_STACK = join(ROOT, "Pulumi.example.yaml");

/** The example stack's raw topology, a fresh copy to change. */
export const exampleRaw = () => structuredClone(readStackFile(EXAMPLE_STACK).topology) as any;

/** What validation says of the example stack changed by `mutate`: every problem, or none. */
export function problems(mutate: (t: any) => void): readonly string[] {
  const t = exampleRaw();
  mutate(t);
  try {
    parseTopology(t);
  } catch (e) {
    if (e instanceof TopologyError) return e.problems;
    throw e;
  }
  return [];
}

/** A raw topology validated and normalized. */
export const modelOf = (raw: unknown): Model => normalize(parseTopology(raw));

/** The example stack's model. */
export const exampleModel = () => modelOf(exampleRaw());

/** Fixed stand-ins for the example's encrypted secrets. */
export const testSecrets = (name: string): string =>
  ({ vrrpAuth: "t3stPass", drbdSecret: "test-drbd-secret", mysqlCheckPassword: "test-check-pw" } as Record<string, string>)[name] ?? `test-${name}`;

export type ServiceFile = HostFile & { readonly service: string };

/** A slice's files by host, hosts in rollout order, each file with its service's name and the secrets filled in. */
export function filesBy(slice: Slice, secrets: (name: string) => string = testSecrets): Record<string, ServiceFile[]> {
  const out: Record<string, ServiceFile[]> = {};
  for (const u of slice.units) {
    out[u.host] ??= [];
    for (const f of u.files) out[u.host].push({ ...f, service: u.service.name, content: f.secret ? fill(f.content, secrets) : f.content });
  }
  return out;
}
