// A whole stack from its validated topology: every host that has a part to
// play, then the director pairs, the real servers pool by pool, the DRBD
// pairs and the cache tiers.
import * as pulumi from "@pulumi/pulumi";
import { CacheTier } from "./cache-tier.ts";
import { DirectorPair } from "./director-pair.ts";
import { DrbdPair } from "./drbd-pair.ts";
import { Host } from "./host.ts";
import { interfaces } from "./model/resolve.ts";
import type { Topology as TopologyModel } from "./model/schema.ts";
import { RealServer } from "./real-server.ts";
import { renderRealServers } from "./render/realserver.ts";
import { renderStack } from "./render/stack.ts";

export interface TopologyArgs {
  /** The validated topology (parseTopology). */
  topology: TopologyModel;
  /** Every secret the topology references, by config key name. */
  secrets: pulumi.Output<Record<string, string>>;
}

export class Topology extends pulumi.ComponentResource {
  readonly hosts: Record<string, Host> = {};
  readonly directorPairs: Record<string, DirectorPair> = {};

  constructor(name: string, args: TopologyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:stack:Topology", name, {}, opts);
    const topo = args.topology;
    // Only hosts with something to run are contacted.
    for (const host of Object.keys(renderStack(topo, () => "REDACTED"))) {
      const h = topo.hosts[host];
      const key = h.ssh.privateKey?.secret;
      this.hosts[host] = new Host(host, {
        address: h.ssh.address ?? interfaces(h)[0].address,
        port: h.ssh.port,
        user: h.ssh.user,
        privateKey: key ? args.secrets.apply((s) => s[key]) : undefined,
        hostKey: h.ssh.hostKey,
        insecureFirstContact: h.ssh.insecureFirstContact,
      }, { parent: this });
    }
    for (const pair of Object.keys(topo.directorPairs).sort()) {
      this.directorPairs[pair] = new DirectorPair(pair, { topology: topo, pair, hosts: this.hosts, secrets: args.secrets }, { parent: this });
    }
    // One real server at a time within a pool, so a pool never loses more than one member to a change.
    const realServers = renderRealServers(topo);
    const done = new Set<string>();
    for (const pool of Object.keys(topo.pools).sort()) {
      let after: pulumi.Resource[] = [];
      for (const member of Object.keys(topo.pools[pool].realServers).sort()) {
        if (done.has(member) || !realServers[member]) continue;
        done.add(member);
        after = new RealServer(member, { topology: topo, host: this.hosts[member], after }, { parent: this }).done.slice(-1);
      }
    }
    for (const pair of Object.keys(topo.drbdPairs).sort()) {
      new DrbdPair(pair, { topology: topo, pair, hosts: this.hosts, secrets: args.secrets }, { parent: this });
    }
    for (const tier of Object.keys(topo.cacheTiers).sort()) {
      new CacheTier(tier, { topology: topo, tier, hosts: this.hosts }, { parent: this });
    }
    this.registerOutputs({});
  }
}
