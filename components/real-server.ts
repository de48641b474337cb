// A real server behind LVS, prepared for its forwarding method: the VIP on lo
// with ARP suppressed for DR, the director's VIP as default route for NAT.
import * as pulumi from "@pulumi/pulumi";
import type { Topology } from "./model/schema.ts";
import { renderRealServers } from "./render/realserver.ts";
import { deployServices, type HostLike } from "./service-config.ts";

export interface RealServerArgs {
  topology: Topology;
  /** The host, a member of at least one pool. */
  host: HostLike;
  /** Resources this real server is changed after (the one before it in its pool). */
  after?: pulumi.Resource[];
}

// Every real server's files come from one pass over the pools; a stack with
// hundreds of real servers renders them once, not once per real server.
const rendered = new WeakMap<Topology, ReturnType<typeof renderRealServers>>();
function filesOf(topology: Topology, host: string) {
  let all = rendered.get(topology);
  if (!all) rendered.set(topology, all = renderRealServers(topology));
  return all[host];
}

export class RealServer extends pulumi.ComponentResource {
  /** The last step on the host; the next real server of the pool waits for it. */
  readonly done: pulumi.Resource[];

  constructor(name: string, args: RealServerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:realserver:RealServer", name, {}, opts);
    const files = filesOf(args.topology, args.host.name);
    if (!files) throw new Error(`${args.host.name} is not a real server of any pool`);
    this.done = deployServices(this, args.host, files, args.after);
    this.registerOutputs({});
  }
}
