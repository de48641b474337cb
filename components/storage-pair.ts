// An active/backup service on a DRBD pair that fails over by itself: the
// DRBD resource, the filesystem on it, the service (NFS or the MariaDB
// primary) and its address, which Pacemaker keeps on the node that is
// Primary. Corosync with a third vote from the arbiter's qnetd, and watchdog
// self-fencing, so a partition never gives two Primaries. First set-up never
// risks data (dsas-drbd); the cluster never runs create-md, forces a Primary
// or resolves a split brain by discarding data.
import * as pulumi from "@pulumi/pulumi";
import type { Host } from "./host.ts";
import type { StoragePairModel } from "./model/normalize.ts";
import { planStoragePair, type Slice } from "./plan/plan.ts";
import { deploySlice, type SecretValues } from "./service-config.ts";

export interface StoragePairArgs {
  /** The pair's settings, normalized (`Model.storagePairs[name]`). */
  readonly settings: StoragePairModel;
  /** Its two nodes, by host name. */
  readonly nodes: Readonly<Record<string, Host>>;
  /** The host running corosync-qnetd, the third vote. */
  readonly arbiter: Host;
  /** Values of the secrets its files hold (the DRBD shared secret, the Corosync key). */
  readonly secrets: SecretValues;
  /** Its part of a plan made for the whole stack. @default - planned from settings */
  readonly plan?: Slice;
}

export class StoragePair extends pulumi.ComponentResource {
  readonly address: string;
  readonly nodes: string[];
  readonly service: "nfs" | "mariadb";

  constructor(name: string, args: StoragePairArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:storage:StoragePair", name, {}, opts);
    const s = args.settings;
    this.address = s.address;
    this.nodes = Object.keys(s.nodes).sort();
    this.service = s.nfs ? "nfs" : "mariadb";
    const plan = args.plan ?? planStoragePair(s);
    deploySlice(this, name, plan, { ...args.nodes, [s.arbiter]: args.arbiter }, args.secrets);
    this.registerOutputs({ address: this.address, nodes: this.nodes, service: this.service });
  }
}
