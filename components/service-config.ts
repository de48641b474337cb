// One service's files on one host, applied over SSH by the dsas provider
// (provider/): the files travel on stdin to dsas-apply, which checks, swaps,
// reloads and rolls back on the host (provider/libexec/README.md); the
// provider carries dsas-apply and its helpers itself and installs them first.
// File text is an input, so `pulumi preview --diff` shows every changed line;
// a secret file's content stays a Pulumi secret.
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fill, PACKAGE_ROOT, secretNames } from "./plan/files.ts";
import { needsOf, type Hooks, type Unit } from "./services/service.ts";
import type { Host } from "./host.ts";
import type { Slice } from "./plan/plan.ts";

/** The provider plugin these resources are written for: the package's own version (provider/, scripts/setup-pulumi.sh). */
export const PROVIDER_VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;

export interface Connection {
  /** Address sshd listens on. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** PEM private key, a Pulumi secret; without it the SSH agent is used. */
  readonly privateKey?: pulumi.Input<string>;
  /** The pinned public host key, "ssh-ed25519 AAAA...". */
  readonly hostKey?: string;
  /** Accept any host key when none is pinned: a lab's first contact only. */
  readonly insecureFirstContact: boolean;
}

export interface FileInput {
  mode: string;
  owner: string;
  group: string;
  content: pulumi.Input<string>;
}

export interface ServiceConfigArgs {
  connection: Connection;
  service: string;
  /** Absolute path -> file. */
  files: Record<string, FileInput>;
  /** COMMAND:PACKAGE installed where COMMAND is missing. */
  needs: string[];
  hooks: Hooks;
  /** Apply even when no file changed. */
  always?: boolean;
  /** Values whose change re-runs the apply even when the files are unchanged. */
  triggers?: pulumi.Input<string>[];
  /** The secret values the files hold, so the provider can blank them out of any message from the host. */
  redact?: pulumi.Input<pulumi.Input<string>[]>;
  /** A director's: before `file` changes (the VIPs move), wait up to `waitSeconds` until the receiving director's connection table holds the giving one's connections. */
  handover?: { host: string; peerHost: string; peer: Connection; file: string; waitSeconds: number; gives: boolean };
}

export class ServiceConfig extends pulumi.CustomResource {
  /** Path -> sha256 of the content deployed; a secret file's digest is secret. */
  declare readonly digests: pulumi.Output<Record<string, string>>;
  /** What the host said about the last apply, e.g. "keepalived: applied 1 changed file(s)". */
  declare readonly report: pulumi.Output<string>;

  constructor(name: string, args: ServiceConfigArgs, opts: pulumi.CustomResourceOptions = {}) {
    super("dsas:host:ServiceConfig", name, { ...args, digests: undefined, report: undefined },
      { version: PROVIDER_VERSION, ...opts });
  }
}

/** Secret values by config key name: Pulumi secrets, or plain values that are made secrets here. */
export type SecretValues = Readonly<Record<string, pulumi.Input<string>>>;

/** The value of each secret a unit's files refer to, as one secret Output. */
function valuesFor(names: string[], secrets: SecretValues): pulumi.Output<Record<string, string>> {
  return pulumi.secret(pulumi.all(Object.fromEntries(names.map((n) => {
    if (!(n in secrets)) throw new Error(`secret '${n}' is referenced by the stack but was not given`);
    return [n, secrets[n]];
  }))));
}

/**
 * The ServiceConfig of one unit of the plan: files with no secret are plain
 * strings (so a preview shows their changes), a file holding a secret gets
 * its values filled in as a secret Output.
 */
export function deployUnit(name: string, unit: Unit, host: Host, secrets: SecretValues, opts: pulumi.CustomResourceOptions, peer?: Host): ServiceConfig {
  const names = [...new Set(unit.files.flatMap((f) => secretNames(f.content)))].sort();
  const values = names.length ? valuesFor(names, secrets) : undefined;
  const files = Object.fromEntries(unit.files.map((f) => [f.path, {
    mode: f.mode, owner: f.owner, group: f.group,
    content: f.secret ? values!.apply((v) => fill(f.content, (n) => v[n])) : f.content,
  }]));
  return new ServiceConfig(name, {
    connection: host.connection,
    service: unit.service.name,
    files,
    needs: needsOf(unit),
    hooks: unit.hooks,
    ...(unit.service.always ? { always: true } : {}),
    ...(values ? { redact: values.apply((v) => Object.values(v)) } : {}),
    ...(unit.handover && peer ? { handover: { host: unit.host, peerHost: unit.handover.peer, peer: peer.connection, file: unit.handover.file, waitSeconds: unit.handover.waitSeconds, gives: unit.handover.gives } } : {}),
  }, opts);
}

/**
 * Every unit of a component's slice as a ServiceConfig child of `parent`,
 * named `${prefix}-HOST-SERVICE`, each after the units the plan puts before it.
 * `former` gives the aliases of a unit's resource under an earlier name.
 */
export function deploySlice(parent: pulumi.Resource, prefix: string, slice: Slice, hosts: Readonly<Record<string, Host>>,
  secrets: SecretValues, former: (unit: Unit) => pulumi.Input<pulumi.Alias>[] = () => []): Record<string, ServiceConfig> {
  const done: Record<string, ServiceConfig> = {};
  for (const unit of slice.units) {
    const host = hosts[unit.host];
    if (!host) throw new Error(`${prefix}: no Host given for ${unit.host}`);
    const peer = unit.handover && hosts[unit.handover.peer];
    if (unit.handover && !peer) throw new Error(`${prefix}: no Host given for ${unit.handover.peer}`);
    done[unit.key] = deployUnit(`${prefix}-${unit.host}-${unit.service.name}`, unit, host, secrets, {
      parent,
      dependsOn: unit.after.map((k) => done[k]),
      aliases: former(unit),
    }, peer);
  }
  return done;
}
