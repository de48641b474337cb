import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config("dsas");
export const stackName = pulumi.getStack();
export const topology = config.getObject<Record<string, unknown>>("topology") ?? {};
