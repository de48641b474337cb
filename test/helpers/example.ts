import { join, resolve } from "node:path";
import { readStackFile } from "../../components/model/stack-file.ts";
import { parseTopology } from "../../components/model/validate.ts";
import type { SecretValues } from "../../components/render/files.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const EXAMPLE_STACK = join(ROOT, "Pulumi.example.yaml");

/** The example stack's topology, validated. */
export function exampleTopology() {
  return parseTopology(readStackFile(EXAMPLE_STACK).topology);
}

/** Fixed stand-ins for the example's encrypted secrets. */
export const testSecrets: SecretValues = (name) =>
  ({ vrrpAuth: "t3stPass", drbdSecret: "test-drbd-secret", mysqlCheckPassword: "test-check-pw" })[name] ?? `test-${name}`;
