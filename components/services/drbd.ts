// The resource file of a DRBD pair, in DRBD 8.4 syntax (the lab kernel's
// module is 8.4; drbd-utils 9 hands such a config to its 8.4 parser). Both
// nodes get the same bytes, as drbdadm expects. Nothing here mounts the
// device: only the service on the Primary does, never the boot.
import { drbdAddress } from "../model/resolve.ts";
import type { Topology } from "../model/schema.ts";
import { file, LIBEXEC, template, type HostFile, type SecretValues } from "./files.ts";

export const DRBD_DIR = "/etc/drbd.d";
/** The on-host steps that bring a resource up without risking data. */
export const DRBD_TOOL = `${LIBEXEC}/dsas-drbd`;

/** The secret goes inside a double-quoted drbd.conf string; one that would need escaping is refused, not escaped on a guess at drbdadm's rules. */
function sharedSecret(key: string, value: string): string {
  if (/["\\\n]/.test(value)) {
    throw new Error(`secret '${key}' contains a double quote, backslash or newline, which a DRBD shared-secret cannot hold; choose another value`);
  }
  // The kernel takes at most 63 bytes; drbdadm-84 does not check, so a longer one would only fail once handed to the kernel.
  const bytes = Buffer.byteLength(value);
  if (bytes < 1 || bytes > 63) throw new Error(`secret '${key}' must be 1..63 bytes for a DRBD shared-secret, got ${bytes}`);
  return value;
}

export function renderDrbdPair(topo: Topology, name: string, secrets: SecretValues): Record<string, HostFile[]> {
  const pair = topo.drbdPairs[name];
  const resource = pair.resource ?? name;
  const hosts = Object.keys(pair.nodes).sort();
  const content = template("drbd.res.hbs", {
    pair: name,
    resource,
    protocol: pair.protocol,
    cramHmacAlg: pair.cramHmacAlg,
    sharedSecret: sharedSecret(pair.sharedSecret.secret, secrets(pair.sharedSecret.secret)),
    afterSplitBrain: pair.afterSplitBrain,
    extraNetConfig: pair.extraNetConfig,
    resyncRate: pair.resyncRate ?? null,
    splitBrainNotify: pair.splitBrainNotify,
    nodes: hosts.map((host) => {
      const a = drbdAddress(topo, pair.nodes, host);
      if (!a.ok) throw new Error(`unvalidated topology: ${host} ${a.reason}`);
      return { host, device: pair.device, disk: pair.nodes[host].disk, address: a.value, port: pair.port, metaDisk: pair.metaDisk };
    }),
  });
  const tool = file("drbd", DRBD_TOOL, template("dsas-drbd.sh.hbs", {}), { mode: "0755" });
  return Object.fromEntries(hosts.map((h) => [h, [file("drbd", `${DRBD_DIR}/${resource}.res`, content, { secret: true }), tool]]));
}
