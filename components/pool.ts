// A pool of real servers behind LVS, prepared for their forwarding method:
// the VIPs on lo with ARP suppressed for DR, the director pair's VIP as
// default route for NAT. One member at a time, so a change never takes more
// than one member of the pool away.
import * as pulumi from "@pulumi/pulumi";
import type { PoolModel } from "./model/normalize.ts";
import { planPool, type Slice } from "./plan/plan.ts";
import type { Host } from "./host.ts";
import { deploySlice } from "./service-config.ts";

export interface PoolArgs {
  /** The pool's settings, normalized (`Model.pools[name]`): its members and what each one's network needs. */
  readonly settings: PoolModel;
  /** The members it prepares, by host name. */
  readonly members: Readonly<Record<string, Host>>;
  /** Its part of a plan made for the whole stack. @default - planned from settings */
  readonly plan?: Slice;
  /** The Topology component it belongs to, if any, for the names of resources created before 0.2.0. */
  readonly formerParent?: pulumi.Resource;
}

export class Pool extends pulumi.ComponentResource {
  readonly members: string[];

  constructor(name: string, args: PoolArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:pool:Pool", name, {}, opts);
    this.members = Object.keys(args.settings.members).sort();
    const plan = args.plan ?? planPool(args.settings);
    // Before 0.2.0 each member was a RealServer component, parent of HOST-realserver.
    const former = (host: string) => args.formerParent
      ? [{ name: `${host}-realserver`, parent: pulumi.createUrn(host, "dsas:realserver:RealServer", args.formerParent) }] : [];
    deploySlice(this, name, plan, args.members, {}, (u) => former(u.host));
    this.registerOutputs({ members: this.members });
  }
}
