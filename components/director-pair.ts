// An active/backup pair of LVS directors run by keepalived (or by static
// ipvsadm rules). The backup is updated and checked first, the master only
// once the backup succeeded: the DSAS procedure, so a bad change never
// reaches the director holding the VIPs.
import * as pulumi from "@pulumi/pulumi";
import { vipsOf } from "./model/resolve.ts";
import type { Topology } from "./model/schema.ts";
import { renderDirectorPair } from "./render/director.ts";
import { deployServices, renderDeployFiles, type HostLike } from "./service-config.ts";

export interface DirectorPairArgs {
  /** The validated topology (parseTopology). */
  topology: Topology;
  /** The pair's key under topology.directorPairs. */
  pair: string;
  /** Every host of the topology by name; the pair's two must be there. */
  hosts: Record<string, HostLike>;
  /** Secret config values by key name (Pulumi secrets). */
  secrets: pulumi.Output<Record<string, string>>;
}

export class DirectorPair extends pulumi.ComponentResource {
  readonly master: string;
  readonly backup: string;
  readonly vips: string[];

  constructor(name: string, args: DirectorPairArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:director:DirectorPair", name, {}, opts);
    const pair = args.topology.directorPairs[args.pair];
    if (!pair) throw new Error(`topology.directorPairs has no pair '${args.pair}'`);
    this.master = pair.master;
    this.backup = pair.backup;
    this.vips = vipsOf(pair).map((v) => v.vip);
    const files = renderDeployFiles((s) => renderDirectorPair(args.topology, args.pair, s), args.secrets);
    const backup = deployServices(this, args.hosts[pair.backup], files[pair.backup]);
    deployServices(this, args.hosts[pair.master], files[pair.master], backup);
    this.registerOutputs({ master: this.master, backup: this.backup, vips: this.vips });
  }
}
