// An image cache tier: memory-only squid nodes, one at a time, then the nginx
// fronts that pick a squid by URI hash, also one at a time.
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "./model/schema.ts";
import { renderCacheTier } from "./render/cache.ts";
import { deployServices, type HostLike } from "./service-config.ts";

export interface CacheTierArgs {
  topology: Topology;
  /** The tier's key under topology.cacheTiers. */
  tier: string;
  hosts: Record<string, HostLike>;
}

export class CacheTier extends pulumi.ComponentResource {
  constructor(name: string, args: CacheTierArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:cache:CacheTier", name, {}, opts);
    const tier = args.topology.cacheTiers[args.tier];
    if (!tier) throw new Error(`topology.cacheTiers has no tier '${args.tier}'`);
    const files = renderCacheTier(args.topology, args.tier);
    let after: pulumi.Resource[] = [];
    for (const host of [...tier.squids, ...tier.fronts]) {
      const steps = deployServices(this, args.hosts[host], files[host], after);
      after = steps.slice(-1);
    }
    this.registerOutputs({});
  }
}
