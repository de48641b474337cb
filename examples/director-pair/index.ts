// dsas-kit as a library: one DirectorPair and its two Hosts, without the
// Topology component. This project's config holds a topology (loaded by the
// same model) whose director pair `pair` is deployed, and the secrets it names.
import * as pulumi from "@pulumi/pulumi";
import { DirectorPair, Host, loadStack, stackConfig } from "dsas-kit";

const namespace = pulumi.getProject();
const name = new pulumi.Config().get("pair") ?? "lb";
const { model, secrets } = loadStack(stackConfig(namespace), "deploy");
const settings = model.directorPairs[name];
if (!settings) throw new Error(`topology.directorPairs has no pair '${name}'`);

const directors = new DirectorPair(name, {
  settings,
  master: Host.fromModel(model.hosts[settings.master], secrets),
  backup: Host.fromModel(model.hosts[settings.backup], secrets),
  secrets,
});

export const master = directors.master;
export const backup = directors.backup;
export const vips = directors.vips;
