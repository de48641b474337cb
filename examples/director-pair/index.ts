// dsas-kit as a library: two Host components and one DirectorPair, without
// the Topology component. The stack config holds a topology (validated by
// the same model) whose director pair `pair` is deployed, and the secrets it
// references.
import * as pulumi from "@pulumi/pulumi";
import { DirectorPair } from "../../components/director-pair.ts";
import { Host } from "../../components/host.ts";
import { interfaces } from "../../components/model/resolve.ts";
import { parseTopology, secretRefs } from "../../components/model/validate.ts";

const config = new pulumi.Config();
const topology = parseTopology(config.requireObject("topology"));
const name = config.get("pair") ?? "lb";
const pair = topology.directorPairs[name];
if (!pair) throw new Error(`topology.directorPairs has no pair '${name}'`);

const secretNames = [...new Set(secretRefs(topology).map((r) => r.name))];
const secrets = pulumi.all(Object.fromEntries(secretNames.map((n) => [n, config.requireSecret(n)])));

const hosts = Object.fromEntries([pair.backup, pair.master].map((host) => {
  const { ssh } = topology.hosts[host];
  const key = ssh.privateKey?.secret;
  return [host, new Host(host, {
    address: ssh.address ?? interfaces(topology.hosts[host])[0].address,
    port: ssh.port,
    user: ssh.user,
    privateKey: key ? secrets.apply((s) => s[key]) : undefined,
    hostKey: ssh.hostKey,
    insecureFirstContact: ssh.insecureFirstContact,
  })];
}));

const directors = new DirectorPair(name, { topology, pair: name, hosts, secrets });

export const master = directors.master;
export const backup = directors.backup;
export const vips = directors.vips;
