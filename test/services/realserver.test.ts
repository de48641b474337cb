import { describe, expect, it } from "vitest";
import { planPool } from "../../components/plan/plan.ts";
import { REALSERVER_NET } from "../../components/services/realserver.ts";
import { exampleModel, filesBy, type ServiceFile } from "../helpers/example.ts";
import { expectGolden } from "../helpers/golden.ts";
import { runOnHost } from "../helpers/sandbox.ts";

const topo = exampleModel();
const rendered: Record<string, ServiceFile[]> = Object.assign({}, ...Object.values(topo.pools).map((p) => filesBy(planPool(p))));

describe("real server preparation", () => {
  it("prepares exactly the pools' members", () => {
    expect(Object.keys(rendered).sort()).toEqual(["db2", "db3", "smtp1", "smtp2", "web1", "web2"]);
  });

  it.each(Object.keys(rendered).sort())("%s matches its golden files", (host) => {
    for (const f of rendered[host]) expectGolden("example", host, f);
  });

  it("gives an LVS-DR real server its VIPs on lo and stops it answering ARP for them", () => {
    // smtp1 serves the ilb DR VIP and the static slb DR VIP.
    const r = runOnHost({ hostname: "smtp1", interfaces: topo.hosts.smtp1.interfaces, files: rendered.smtp1 },
      `${REALSERVER_NET} && ${REALSERVER_NET} && ip -4 -o addr show dev lo && sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce && ip route show default`);
    expect(r.code, r.output).toBe(0);
    const lines = r.output.split("\n");
    expect(lines.filter((l) => / lo +inet /.test(l)).map((l) => l.split(/\s+/)[3])).toEqual(["127.0.0.1/8", "192.168.31.25/32", "192.168.31.30/32"]);
    expect(lines.slice(-2)).toEqual(["1", "2"]);
  });

  it("routes an LVS-NAT real server's replies through the director pair's internal VIP", () => {
    const r = runOnHost({ hostname: "web1", interfaces: topo.hosts.web1.interfaces, files: rendered.web1 },
      `${REALSERVER_NET} && ${REALSERVER_NET} && ip route show default && ip -4 -o addr show dev lo`);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("default via 192.168.31.10 dev eth0");
    expect(r.output).not.toContain("/32");
    expect(rendered.web1.map((f) => f.path)).not.toContain("/etc/sysctl.d/60-dsas-lvs-dr.conf");
  });
});
