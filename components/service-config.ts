// One service's files on one host, applied over SSH by the dsas provider
// (provider/): the files travel on stdin to dsas-apply, which checks, swaps,
// reloads and rolls back on the host. File text is an input, so
// `pulumi preview --diff` shows every changed line; a secret file's content
// stays a Pulumi secret.
import * as pulumi from "@pulumi/pulumi";
import { APPLY, type HostFile, type Service } from "./render/files.ts";

/** The provider plugin version these resources are written for (provider/, scripts/setup-pulumi.sh). */
export const PROVIDER_VERSION = "0.1.0";

export interface Connection {
  /** Address sshd listens on. */
  host: string;
  port: number;
  user: string;
  /** PEM private key, a Pulumi secret; without it the SSH agent is used. */
  privateKey?: pulumi.Input<string>;
  /** The pinned public host key, "ssh-ed25519 AAAA...". */
  hostKey?: string;
  /** Accept any host key when none is pinned: a lab's first contact only. */
  insecureFirstContact?: boolean;
}

export interface FileInput {
  mode: string;
  owner: string;
  group: string;
  content: pulumi.Input<string>;
}

export interface ServiceConfigArgs {
  connection: Connection;
  service: Service | string;
  /** Absolute path -> file; all of them reach the host in one run of applyCommand. */
  files: Record<string, FileInput>;
  /** Run with the files on stdin (one line each: PATH MODE OWNER GROUP BASE64). */
  applyCommand: string;
  /** Run on removal with the paths on stdin, one per line. */
  removeCommand?: string;
  /** Values whose change re-runs applyCommand even when the files are unchanged. */
  triggers?: pulumi.Input<string>[];
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

/** Runs a command as root: directly when logged in as root, else with sudo. */
export function asRoot(user: string, command: string): string {
  return user === "root" ? command : `sudo -n ${command}`;
}

/** What each service's checker and reload need, as COMMAND:DEBIAN-PACKAGE. */
const NEEDS: Record<Service, string[]> = {
  dsas: [],
  keepalived: ["keepalived:keepalived"],
  ipvsadm: ["ipvsadm:ipvsadm"],
  director: ["ipvsadm:ipvsadm"],
  realserver: ["ip:iproute2"],
  drbd: ["drbdadm:drbd-utils"],
  squid: ["squid:squid"],
  nginx: ["nginx:nginx-light"],
};

/** dsas-apply for a service, with the packages its daemon and files need. */
export function applyCommand(user: string, service: Service, files: readonly Pick<HostFile, "needs">[] = []): string {
  const needs = new Set([...NEEDS[service], ...files.flatMap((f) => f.needs ?? [])]);
  return asRoot(user, [APPLY, service, ...needs].join(" "));
}

export function removeCommand(user: string, service: Service): string {
  return asRoot(user, `${APPLY} --remove ${service}`);
}

/** The files input of a ServiceConfig; a secret file's content is wrapped as a secret. */
export function filesInput(files: readonly DeployFile[]): Record<string, FileInput> {
  return Object.fromEntries(files.map((f) => [f.path, { mode: f.mode, owner: f.owner, group: f.group, content: f.content }]));
}

/** A rendered file on its way to a host: a secret file's content is a secret Output. */
export type DeployFile = Omit<HostFile, "content"> & { content: pulumi.Input<string> };

/**
 * Renders with the real secret values only where a file holds one. Files with
 * no secret do not depend on the secrets' values (tested), so they stay plain
 * strings and their changes show in a preview.
 */
export function renderDeployFiles(
  render: (secret: (name: string) => string) => Record<string, HostFile[]>,
  secrets: pulumi.Output<Record<string, string>>,
): Record<string, DeployFile[]> {
  const plain = render(() => "REDACTED");
  const real = pulumi.secret(secrets.apply((values) => render((n) => {
    if (!(n in values)) throw new Error(`secret '${n}' was not given`);
    return values[n];
  })));
  return Object.fromEntries(Object.entries(plain).map(([host, files]) => [host, files.map((f) => f.secret
    ? { ...f, content: real.apply((r) => r[host].find((x) => x.path === f.path)!.content) }
    : f)]));
}

/** A host's files grouped by service, in the order they are applied. */
export function byService(files: readonly DeployFile[]): Map<Service, DeployFile[]> {
  const out = new Map<Service, DeployFile[]>();
  for (const f of files) {
    if (f.service === "dsas") continue;
    out.set(f.service, [...(out.get(f.service) ?? []), f]);
  }
  return out;
}

/** The order services go on a host: IPVS modules and sysctls before the daemons that use them. */
const SERVICE_ORDER: Service[] = ["director", "ipvsadm", "keepalived", "realserver", "drbd", "squid", "nginx"];

export interface HostLike {
  readonly name: string;
  readonly user: string;
  readonly connection: Connection;
  readonly tool: pulumi.Resource;
}

/**
 * One ServiceConfig per service of a host, each after the one before it and
 * after `after`; returns them, last one last.
 */
export function deployServices(parent: pulumi.Resource, host: HostLike, files: readonly DeployFile[], after: pulumi.Resource[] = []): ServiceConfig[] {
  const groups = byService(files);
  const out: ServiceConfig[] = [];
  for (const service of SERVICE_ORDER) {
    const group = groups.get(service);
    if (!group) continue;
    out.push(new ServiceConfig(`${host.name}-${service}`, {
      connection: host.connection,
      service,
      files: filesInput(group),
      applyCommand: applyCommand(host.user, service, group),
      removeCommand: removeCommand(host.user, service),
    }, { parent, dependsOn: [host.tool, ...after, ...out.slice(-1)] }));
  }
  return out;
}
