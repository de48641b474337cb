// A machine dsas-kit manages: how it is reached over SSH, and dsas-apply
// installed on it, which every service on the host goes through.
import * as pulumi from "@pulumi/pulumi";
import { applyTool } from "./render/stack.ts";
import { asRoot, ServiceConfig, type Connection } from "./service-config.ts";

export interface HostArgs {
  /** Address sshd listens on. */
  address: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** PEM private key, a Pulumi secret; without it the SSH agent is used. */
  privateKey?: pulumi.Input<string>;
  /** Pinned public host key; required unless insecureFirstContact. */
  hostKey?: string;
  insecureFirstContact?: boolean;
}

// Installs the one file it is given (the bundle line of dsas-apply itself):
// temp file in the same folder, then rename.
const INSTALL_ONE = `sh -c 'set -e; read -r p m o g c; mkdir -p "\${p%/*}"; printf %s "$c" | base64 -d >"$p.dsas-new"; `
  + `chmod "$m" "$p.dsas-new"; chown "$o:$g" "$p.dsas-new"; mv -f "$p.dsas-new" "$p"; echo "installed $p"'`;

export class Host extends pulumi.ComponentResource {
  readonly name: string;
  readonly user: string;
  readonly connection: Connection;
  /** dsas-apply on the host; every ServiceConfig on it depends on this. */
  readonly tool: ServiceConfig;

  constructor(name: string, args: HostArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("dsas:host:Host", name, {}, opts);
    if (!args.hostKey && !args.insecureFirstContact) {
      throw new Error(`host ${name}: hostKey must pin its public host key (ssh-keyscan -t ed25519 ${args.address}); set insecureFirstContact only for a first contact in a lab`);
    }
    this.name = name;
    this.user = args.user ?? "root";
    this.connection = {
      host: args.address,
      port: args.port ?? 22,
      user: this.user,
      ...(args.privateKey ? { privateKey: pulumi.secret(args.privateKey) } : {}),
      ...(args.hostKey ? { hostKey: args.hostKey } : {}),
      insecureFirstContact: args.insecureFirstContact ?? false,
    };
    const tool = applyTool();
    this.tool = new ServiceConfig(`${name}-dsas-apply`, {
      connection: this.connection,
      service: "dsas",
      files: { [tool.path]: { mode: tool.mode, owner: tool.owner, group: tool.group, content: tool.content } },
      applyCommand: asRoot(this.user, INSTALL_ONE),
    }, { parent: this });
    this.registerOutputs({ address: args.address, port: this.connection.port });
  }
}
