// A machine dsas-kit manages: its interfaces as the stack describes them and
// how it is reached over SSH. A Host is not a Pulumi resource of its own:
// what is deployed to it are the services of the components it belongs to,
// each a ServiceConfig on the one SSH connection the provider keeps per host.
import * as pulumi from "@pulumi/pulumi";
import type { HostModel } from "./model/normalize.ts";
import type { Connection, SecretValues } from "./service-config.ts";

export class Host {
  readonly name: string;
  readonly model: HostModel;
  readonly connection: Connection;

  /**
   * @param name the host's name in the stack
   * @param model its normalized settings (Model.hosts[name])
   * @param privateKey the SSH private key's value when the stack names one (a Pulumi secret)
   */
  constructor(name: string, model: HostModel, privateKey?: pulumi.Input<string>) {
    this.name = name;
    this.model = model;
    this.connection = {
      host: model.ssh.address,
      port: model.ssh.port,
      user: model.ssh.user,
      ...(privateKey !== undefined ? { privateKey: pulumi.secret(privateKey) } : {}),
      ...(model.ssh.hostKey ? { hostKey: model.ssh.hostKey } : {}),
      insecureFirstContact: model.ssh.insecureFirstContact,
    };
  }

  /** The host as the stack describes it, its private key looked up among the stack's secrets. */
  static fromModel(model: HostModel, secrets: SecretValues): Host {
    const key = model.ssh.privateKey?.secret;
    if (key !== undefined && !(key in secrets)) throw new Error(`host ${model.name}: secret '${key}' (ssh.privateKey) was not given`);
    return new Host(model.name, model, key !== undefined ? secrets[key] : undefined);
  }
}
