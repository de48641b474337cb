// A DRBD resource on both nodes of a pair, in DRBD 8.4 syntax (the lab
// kernel's module is 8.4; drbd-utils 9 hands such a config to its 8.4
// parser). Both nodes get the same bytes, as drbdadm expects. dsas-drbd
// brings the resource up without risking data (metadata only where none
// exists; a running resource adjusted, never moved to another disk), on both
// nodes at once; then the named initial sync source alone is promoted, which
// forces Primary only on first set-up. Nothing here mounts the device, and
// removal leaves the disks and their data as they are.
import type { DrbdPairModel } from "../model/normalize.ts";
import { file, LIBEXEC, program, secretToken, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const drbd: Service = { name: "drbd", phase: 50, needs: ["drbdadm:drbd-utils"], rollout: "all hosts at once" };
export const drbdPromote: Service = { name: "drbd-promote", phase: 51, needs: ["drbdadm:drbd-utils"], rollout: "after the others", always: true };

export const DRBD_DIR = "/etc/drbd.d";
/** The on-host steps that bring a resource up without risking data. */
export const DRBD_TOOL = `${LIBEXEC}/dsas-drbd`;

/** What the resource file needs: a plain DRBD pair, or a storage pair's, which Pacemaker promotes. */
export type DrbdResource = Pick<DrbdPairModel, "name" | "resource" | "cramHmacAlg" | "sharedSecret" | "afterSplitBrain" | "extraNetConfig"
  | "resyncRate" | "splitBrainNotify" | "device" | "port" | "metaDisk" | "initialSyncSource">
  & { readonly protocol: string; readonly nodes: Readonly<Record<string, { disk: string; address: string }>> };

export function resourceFile(pair: DrbdResource, cluster = false): string {
  return template("drbd.res.hbs", {
    cluster,
    disk: cluster || pair.resyncRate !== undefined,
    pair: pair.name,
    resource: pair.resource,
    protocol: pair.protocol,
    cramHmacAlg: pair.cramHmacAlg,
    sharedSecret: secretToken(pair.sharedSecret.secret),
    afterSplitBrain: pair.afterSplitBrain,
    extraNetConfig: pair.extraNetConfig,
    resyncRate: pair.resyncRate ?? null,
    splitBrainNotify: pair.splitBrainNotify,
    nodes: Object.entries(pair.nodes).sort(([a], [b]) => a.localeCompare(b)).map(([host, n]) => ({
      host, device: pair.device, disk: n.disk, address: n.address, port: pair.port, metaDisk: pair.metaDisk,
    })),
  });
}

export function drbdUnit(pair: DrbdResource, host: string, cluster = false): UnitDraft {
  return {
    host,
    service: drbd,
    hooks: { check: "drbdadm dump all >/dev/null", apply: `${DRBD_TOOL} prepare ${pair.resource}` },
    files: [file(`${DRBD_DIR}/${pair.resource}.res`, resourceFile(pair, cluster)), file(DRBD_TOOL, program("dsas-drbd"), { mode: "0755" })],
  };
}

/**
 * The initial sync source's one-time promotion, with the filesystem made on
 * first set-up if the stack asks; `then` is what else first set-up does there
 * (a storage pair's folders or data directory, before its cluster promotes).
 */
export function promoteUnit(pair: Pick<DrbdPairModel, "initialSyncSource" | "resource"> & { filesystem?: { create: boolean; type: string } }, then?: string): UnitDraft {
  const fs = pair.filesystem?.create ? ` ${pair.filesystem.type}` : "";
  return {
    host: pair.initialSyncSource,
    service: drbdPromote,
    hooks: { apply: `${DRBD_TOOL} promote ${pair.resource}${fs}${then ? ` && ${then}` : ""}` },
    files: [],
  };
}
