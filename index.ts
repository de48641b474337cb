// The dsas Pulumi program: the stack loaded the one way (validated,
// normalized, secrets checked by value, pinned host keys, planned) before any
// resource exists, then deployed host by host by the Topology component.
import { loadStack } from "./components/model/load.ts";
import { plainStackTraces, stackConfig } from "./components/stack-config.ts";
import { Topology } from "./components/topology.ts";

plainStackTraces();
const stack = loadStack(stackConfig("dsas"), "deploy");
const topology = new Topology("dsas", { model: stack.model, plan: stack.plan, secrets: stack.secrets });

export const directorPairs = Object.fromEntries(Object.entries(topology.directorPairs).map(([name, pair]) =>
  [name, { master: pair.master, backup: pair.backup, vips: pair.vips }]));
export const storagePairs = Object.fromEntries(Object.entries(topology.storagePairs).map(([name, pair]) =>
  [name, { address: pair.address, nodes: pair.nodes, service: pair.service }]));
