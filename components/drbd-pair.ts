// A DRBD-mirrored pair. Both nodes get the resource file, then both are
// brought up by dsas-drbd prepare (metadata only where none exists), then the
// named initial sync source is promoted, which forces Primary only on first
// set-up. Removal leaves the disks and their data as they are.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "./model/schema.ts";
import { DRBD_TOOL, renderDrbdPair } from "./render/drbd.ts";
import { asRoot, deployServices, renderDeployFiles, ServiceConfig, type HostLike } from "./service-config.ts";

export interface DrbdPairArgs {
  topology: Topology;
  /** The pair's key under topology.drbdPairs. */
  pair: string;
  hosts: Record<string, HostLike>;
  secrets: pulumi.Output<Record<string, string>>;
}

export class DrbdPair extends pulumi.ComponentResource {
  readonly resource: string;
  readonly device: string;

  constructor(name: string, args: DrbdPairArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:drbd:DrbdPair", name, {}, opts);
    const pair = args.topology.drbdPairs[args.pair];
    if (!pair) throw new Error(`topology.drbdPairs has no pair '${args.pair}'`);
    this.resource = pair.resource ?? args.pair;
    this.device = pair.device;
    const files = renderDeployFiles((s) => renderDrbdPair(args.topology, args.pair, s), args.secrets);
    const nodes = Object.keys(pair.nodes).sort();
    const configured = nodes.flatMap((n) => deployServices(this, args.hosts[n], files[n]));
    // Re-run when the resource's definition changes; dsas-drbd then adjusts.
    const triggers = [pulumi.output(files[nodes[0]].find((f) => f.path.endsWith(".res"))!.content)
      .apply((c) => `sha256:${sha256(c)}`)];
    const prepared = nodes.map((n) => new ServiceConfig(`${n}-drbd-${this.resource}-prepare`, {
      connection: args.hosts[n].connection,
      service: "drbd-prepare",
      files: {},
      applyCommand: asRoot(args.hosts[n].user, `${DRBD_TOOL} prepare ${this.resource}`),
      triggers,
    }, { parent: this, dependsOn: configured }));
    const source = args.hosts[pair.initialSyncSource];
    const fs = pair.filesystem?.create ? ` ${pair.filesystem.type}` : "";
    new ServiceConfig(`${source.name}-drbd-${this.resource}-promote`, {
      connection: source.connection,
      service: "drbd-promote",
      files: {},
      applyCommand: asRoot(source.user, `${DRBD_TOOL} promote ${this.resource}${fs}`),
    }, { parent: this, dependsOn: prepared });
    this.registerOutputs({ resource: this.resource, device: this.device });
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
