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

export function resourceFile(pair: DrbdPairModel): string {
  return template("drbd.res.hbs", {
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

export function drbdUnit(pair: DrbdPairModel, host: string): UnitDraft {
  return {
    host,
    service: drbd,
    hooks: { check: "drbdadm dump all >/dev/null", apply: `${DRBD_TOOL} prepare ${pair.resource}` },
    files: [file(`${DRBD_DIR}/${pair.resource}.res`, resourceFile(pair)), file(DRBD_TOOL, program("dsas-drbd"), { mode: "0755" })],
  };
}

/** The initial sync source's one-time promotion, with the filesystem made on first set-up if the stack asks. */
export function promoteUnit(pair: DrbdPairModel): UnitDraft {
  const fs = pair.filesystem?.create ? ` ${pair.filesystem.type}` : "";
  return {
    host: pair.initialSyncSource,
    service: drbdPromote,
    hooks: { apply: `${DRBD_TOOL} promote ${pair.resource}${fs}` },
    files: [],
  };
}
