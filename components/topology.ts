// A whole stack: every director pair, pool, DRBD pair and cache tier of a
// normalized model, each deployed from its slice of one plan.
import * as pulumi from "@pulumi/pulumi";
import { CacheTier } from "./cache-tier.ts";
import { DirectorPair } from "./director-pair.ts";
import { DrbdPair } from "./drbd-pair.ts";
import { Host } from "./host.ts";
import type { Model } from "./model/normalize.ts";
import { planStack, type Plan } from "./plan/plan.ts";
import { Pool } from "./pool.ts";
import { StoragePair } from "./storage-pair.ts";
import type { SecretValues } from "./service-config.ts";

export interface TopologyArgs {
  /** The stack's model (loadStack, or normalize(parseTopology(...))). */
  readonly model: Model;
  /** Values of every secret the model references, by config key name. */
  readonly secrets: SecretValues;
  /** The model's plan, if already made. @default - planStack(model) */
  readonly plan?: Plan;
}

export class Topology extends pulumi.ComponentResource {
  readonly hosts: Readonly<Record<string, Host>>;
  readonly directorPairs: Readonly<Record<string, DirectorPair>>;
  readonly storagePairs: Readonly<Record<string, StoragePair>>;

  constructor(name: string, args: TopologyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:stack:Topology", name, {}, opts);
    const { model, secrets } = args;
    const plan = args.plan ?? planStack(model);
    const hosts = Object.fromEntries(Object.values(model.hosts).map((h) => [h.name, Host.fromModel(h, secrets)]));
    const pick = (names: Iterable<string>) => Object.fromEntries([...names].map((n) => [n, hosts[n]]));
    this.hosts = hosts;
    this.directorPairs = Object.fromEntries(Object.values(model.directorPairs).map((p) => [p.name, new DirectorPair(p.name, {
      settings: p, master: hosts[p.master], backup: hosts[p.backup], secrets, plan: plan.directorPairs[p.name],
    }, { parent: this })]));
    for (const pool of Object.values(model.pools)) {
      if (!Object.keys(pool.members).length) continue;
      new Pool(pool.name, { settings: pool, members: pick(Object.keys(pool.members)), plan: plan.pools[pool.name], formerParent: this }, { parent: this });
    }
    for (const d of Object.values(model.drbdPairs)) {
      new DrbdPair(d.name, { settings: d, nodes: pick(Object.keys(d.nodes)), secrets, plan: plan.drbdPairs[d.name] }, { parent: this });
    }
    for (const c of Object.values(model.cacheTiers)) {
      new CacheTier(c.name, { settings: c, hosts: pick([...c.squids, ...c.fronts]), plan: plan.cacheTiers[c.name] }, { parent: this });
    }
    this.storagePairs = Object.fromEntries(Object.values(model.storagePairs).map((p) => [p.name, new StoragePair(p.name, {
      settings: p, nodes: pick(Object.keys(p.nodes)), arbiter: hosts[p.arbiter], secrets, plan: plan.storagePairs[p.name],
    }, { parent: this })]));
    this.registerOutputs({ directorPairs: Object.keys(this.directorPairs), storagePairs: Object.keys(this.storagePairs) });
  }
}
