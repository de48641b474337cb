// An image cache tier: memory-only squid nodes, one at a time, then the nginx
// fronts that pick a squid by URI hash, also one at a time.
import * as pulumi from "@pulumi/pulumi";
import type { CacheTierModel } from "./model/normalize.ts";
import { planCacheTier, type Slice } from "./plan/plan.ts";
import type { Host } from "./host.ts";
import { deploySlice } from "./service-config.ts";

export interface CacheTierArgs {
  /** The tier's settings, normalized (`Model.cacheTiers[name]`). */
  readonly settings: CacheTierModel;
  /** Its squids and fronts, by host name. */
  readonly hosts: Readonly<Record<string, Host>>;
  /** Its part of a plan made for the whole stack. @default - planned from settings */
  readonly plan?: Slice;
}

export class CacheTier extends pulumi.ComponentResource {
  readonly squids: string[];
  readonly fronts: string[];

  constructor(name: string, args: CacheTierArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:cache:CacheTier", name, {}, opts);
    this.squids = [...args.settings.squids];
    this.fronts = [...args.settings.fronts];
    const plan = args.plan ?? planCacheTier(args.settings);
    // Before 0.2.0 a child was named HOST-SERVICE.
    deploySlice(this, name, plan, args.hosts, {}, (u) => [{ name: `${u.host}-${u.service.name}` }]);
    this.registerOutputs({ squids: this.squids, fronts: this.fronts });
  }
}
