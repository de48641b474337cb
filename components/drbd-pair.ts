// A DRBD-mirrored pair. Both nodes get the resource file and are brought up
// by dsas-drbd (metadata only where none exists), then the named initial sync
// source is promoted, which forces Primary only on first set-up. Removal
// leaves the disks and their data as they are.
import * as pulumi from "@pulumi/pulumi";
import type { DrbdPairModel } from "./model/normalize.ts";
import { planDrbdPair, type Slice } from "./plan/plan.ts";
import type { Host } from "./host.ts";
import { deploySlice, type SecretValues } from "./service-config.ts";

export interface DrbdPairArgs {
  /** The pair's settings, normalized (`Model.drbdPairs[name]`). */
  readonly settings: DrbdPairModel;
  /** Its two nodes, by host name. */
  readonly nodes: Readonly<Record<string, Host>>;
  /** Values of the secrets its files hold (the shared secret). */
  readonly secrets: SecretValues;
  /** Its part of a plan made for the whole stack. @default - planned from settings */
  readonly plan?: Slice;
}

export class DrbdPair extends pulumi.ComponentResource {
  readonly resource: string;
  readonly device: string;

  constructor(name: string, args: DrbdPairArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:drbd:DrbdPair", name, {}, opts);
    this.resource = args.settings.resource;
    this.device = args.settings.device;
    const plan = args.plan ?? planDrbdPair(args.settings);
    // Before 0.2.0: HOST-drbd, and the promotion HOST-drbd-RESOURCE-promote.
    deploySlice(this, name, plan, args.nodes, args.secrets, (u) =>
      [{ name: u.service.name === "drbd-promote" ? `${u.host}-drbd-${this.resource}-promote` : `${u.host}-${u.service.name}` }]);
    this.registerOutputs({ resource: this.resource, device: this.device });
  }
}
