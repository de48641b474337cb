// A stack's own config as the loader reads it (loadStack), in a Pulumi
// program: the topology and every other key of the namespace, decrypted,
// with whether it was set with --secret.
import * as pulumi from "@pulumi/pulumi";
import type { SecretEntry, StackSource } from "./model/load.ts";

// The SDK's decrypted config and its record of which keys were set with
// --secret: exported at run time, left out of the published typings.
const runtime = pulumi.runtime as unknown as { allConfig(): Record<string, string>; isConfigSecret(key: string): boolean };

/** `NAMESPACE:topology` and the namespace's other keys, which the topology's secret references name. */
export function stackConfig(namespace = "dsas"): StackSource {
  const secrets = new Map<string, SecretEntry>();
  for (const [key, value] of Object.entries(runtime.allConfig())) {
    if (!key.startsWith(`${namespace}:`) || key === `${namespace}:topology`) continue;
    secrets.set(key.slice(namespace.length + 1), { secure: runtime.isConfigSecret(key), value });
  }
  return { namespace, topology: new pulumi.Config(namespace).requireObject("topology"), secrets };
}

/**
 * The SDK's run harness maps every stack trace through source maps, and the
 * SDK takes a stack trace for each of its promises and each resource: at 500
 * hosts that formatting was a quarter of the program's time. A program that
 * Node runs from TypeScript by stripping types keeps its line and column
 * numbers, so V8's own formatting gives the same positions for much less.
 */
export function plainStackTraces(): void {
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
}
