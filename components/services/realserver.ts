// The real-server side of LVS, which keepalived itself never configures: the
// VIPs on lo with ARP suppressed for DR, the director pair's VIP as default
// route for NAT. A small script does it, run on every change and at boot.
import type { RealServerNet } from "../model/resolve.ts";
import { file, LIBEXEC, template } from "../plan/files.ts";
import type { Service, UnitDraft } from "./service.ts";

export const realserver: Service = { name: "realserver", phase: 40, needs: ["ip:iproute2"], rollout: "one host at a time" };

export const REALSERVER_NET = `${LIBEXEC}/realserver-net`;
export const REALSERVER_UNIT = "/etc/systemd/system/dsas-realserver.service";
const DR_SYSCTL = "/etc/sysctl.d/60-dsas-lvs-dr.conf";

const HOOKS = {
  check: `sh -n ${REALSERVER_NET}`,
  apply: `systemctl daemon-reload && ${REALSERVER_NET} && systemctl enable -q dsas-realserver.service`,
  // A NAT real server keeps its default route until it reboots: removing it could cut the host off.
  remove: "systemctl disable -q dsas-realserver.service",
};

export function realServerUnit(host: string, net: RealServerNet): UnitDraft {
  const view = { loVips: net.loVips, gateway: net.gateways[0] ?? null, sources: net.sources };
  const files = [
    file(REALSERVER_NET, template("realserver-net.sh.hbs", view), { mode: "0755" }),
    file(REALSERVER_UNIT, template("dsas-realserver.service.hbs", { script: REALSERVER_NET })),
  ];
  if (net.loVips.length) files.push(file(DR_SYSCTL, template("realserver-sysctl.conf.hbs", view)));
  // realserver-net (the apply hook) puts back each of these.
  const drift = [
    ...(net.loVips.length ? [`dsas-drift lo ${net.loVips.join(" ")}`, `dsas-drift sysctl ${DR_SYSCTL}`] : []),
    ...(net.gateways[0] ? [`dsas-drift route ${net.gateways[0]}`] : []),
  ];
  return { host, service: realserver, hooks: drift.length ? { ...HOOKS, drift: drift.join(" && ") } : HOOKS, files };
}
