// Real-server side of LVS, which keepalived itself never configures: the VIP
// on lo with ARP suppressed for DR, the director's VIP as default route for NAT.
import { realServerNets } from "../model/resolve.ts";
import type { Topology } from "../model/schema.ts";
import { file, LIBEXEC, template, type HostFile } from "./files.ts";

export const REALSERVER_NET = `${LIBEXEC}/realserver-net`;
export const REALSERVER_UNIT = "/etc/systemd/system/dsas-realserver.service";

export function renderRealServers(topo: Topology): Record<string, HostFile[]> {
  const out: Record<string, HostFile[]> = {};
  for (const [host, net] of realServerNets(topo)) {
    const view = { loVips: net.loVips, gateway: net.gateways[0] ?? null, sources: net.sources };
    const files = [
      file("realserver", REALSERVER_NET, template("realserver-net.sh.hbs", view), { mode: "0755" }),
      file("realserver", REALSERVER_UNIT, template("dsas-realserver.service.hbs", { script: REALSERVER_NET })),
    ];
    if (net.loVips.length) {
      files.push(file("realserver", "/etc/sysctl.d/60-dsas-lvs-dr.conf", template("realserver-sysctl.conf.hbs", view)));
    }
    out[host] = files;
  }
  return out;
}
