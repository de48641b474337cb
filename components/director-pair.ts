// An active/backup pair of LVS directors run by keepalived (or by static
// ipvsadm rules). The backup is updated and checked first, the master only
// once the backup succeeded: the DSAS procedure, so a bad change never
// reaches the director holding the VIPs.
import * as pulumi from "@pulumi/pulumi";
import type { DirectorPairModel } from "./model/normalize.ts";
import { planDirectorPair, type Slice } from "./plan/plan.ts";
import type { Host } from "./host.ts";
import { deploySlice, type SecretValues } from "./service-config.ts";

export interface DirectorPairArgs {
  /** The pair's settings, normalized (`Model.directorPairs[name]`). */
  readonly settings: DirectorPairModel;
  /** The director that is master when both are healthy. */
  readonly master: Host;
  /** The director that takes over; always updated first. */
  readonly backup: Host;
  /** Values of the secrets its files hold (VRRP passwords, the MySQL check's password). */
  readonly secrets: SecretValues;
  /** Its part of a plan made for the whole stack. @default - planned from settings */
  readonly plan?: Slice;
}

export class DirectorPair extends pulumi.ComponentResource {
  readonly master: string;
  readonly backup: string;
  readonly vips: string[];

  constructor(name: string, args: DirectorPairArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:director:DirectorPair", name, {}, opts);
    const s = args.settings;
    if (args.master.name !== s.master || args.backup.name !== s.backup) {
      throw new Error(`director pair ${name}: master and backup must be the hosts '${s.master}' and '${s.backup}' its settings name, got '${args.master.name}' and '${args.backup.name}'`);
    }
    this.master = s.master;
    this.backup = s.backup;
    this.vips = Object.values(s.instances).flatMap((i) => i.virtualIps);
    const hosts = { [s.master]: args.master, [s.backup]: args.backup };
    const plan = args.plan ?? planDirectorPair(s, { [s.master]: args.master.model, [s.backup]: args.backup.model });
    // Before 0.2.0 a child was named HOST-SERVICE.
    deploySlice(this, name, plan, hosts, args.secrets, (u) => [{ name: `${u.host}-${u.service.name}` }]);
    this.registerOutputs({ master: this.master, backup: this.backup, vips: this.vips });
  }
}
