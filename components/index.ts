// dsas-kit as a library: the model, the plan and the Pulumi components.
export { loadStack, unpinnedHost, type LoadedStack, type SecretEntry, type StackSource } from "./model/load.ts";
export { normalize, type CacheTierModel, type DirectorPairModel, type DrbdPairModel, type HostModel, type Model, type PoolModel, type StoragePairModel } from "./model/normalize.ts";
export { parseTopology, TopologyError } from "./model/validate.ts";
export { readStackFile } from "./model/stack-file.ts";
export type { Topology as TopologySettings } from "./model/schema.ts";
export { planCacheTier, planDirectorPair, planDrbdPair, planPool, planStack, planStoragePair, renderedFiles, type Plan, type Slice } from "./plan/plan.ts";
export { CacheTier, type CacheTierArgs } from "./cache-tier.ts";
export { DirectorPair, type DirectorPairArgs } from "./director-pair.ts";
export { DrbdPair, type DrbdPairArgs } from "./drbd-pair.ts";
export { Host } from "./host.ts";
export { Pool, type PoolArgs } from "./pool.ts";
export { PROVIDER_VERSION, ServiceConfig, type Connection, type SecretValues, type ServiceConfigArgs } from "./service-config.ts";
export { StoragePair, type StoragePairArgs } from "./storage-pair.ts";
export { Topology, type TopologyArgs } from "./topology.ts";
export { stackConfig } from "./stack-config.ts";
