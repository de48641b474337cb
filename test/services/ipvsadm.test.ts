import { describe, expect, it } from "vitest";
import type { Model } from "../../components/model/normalize.ts";
import { planDirectorPair } from "../../components/plan/plan.ts";
import { KEEPALIVED_CONF } from "../../components/services/keepalived.ts";
import { exampleModel, filesBy, testSecrets } from "../helpers/example.ts";

const renderDirectorPair = (m: Model, pair: string, secrets: (name: string) => string) => filesBy(planDirectorPair(m.directorPairs[pair], m.hosts), secrets);

// The IPVS table each form describes, read back from the rendered text itself.
type Table = Record<string, { scheduler: string; persistence: number; reals: Record<string, { method: string; weight: number }> }>;

function fromKeepalived(conf: string): Table {
  const table: Table = {};
  for (const block of conf.split(/^virtual_server /m).slice(1)) {
    const [vip, port] = block.split(/\s+/);
    const proto = /protocol (\w+)/.exec(block)![1];
    const key = `${proto} ${vip}:${port}`;
    table[key] = {
      scheduler: /lvs_sched (\w+)/.exec(block)![1],
      persistence: Number(/persistence_timeout (\d+)/.exec(block)?.[1] ?? 0),
      reals: {},
    };
    const method = /lvs_method (\w+)/.exec(block)![1];
    for (const m of block.matchAll(/real_server (\S+) (\d+) \{\s+weight (\d+)/g)) {
      table[key].reals[`${m[1]}:${m[2]}`] = { method, weight: Number(m[3]) };
    }
  }
  return table;
}

function fromIpvsadm(rules: string): Table {
  const table: Table = {};
  const methods: Record<string, string> = { "-m": "NAT", "-g": "DR", "-i": "TUN" };
  for (const line of rules.trim().split("\n")) {
    const a = line.split(" ");
    const key = `${a[1] === "-t" ? "TCP" : "UDP"} ${a[2]}`;
    if (a[0] === "-A") table[key] = { scheduler: a[a.indexOf("-s") + 1], persistence: a.includes("-p") ? Number(a[a.indexOf("-p") + 1]) : 0, reals: {} };
    else if (a[0] === "-a") table[key].reals[a[4]] = { method: methods[a[5]], weight: Number(a[7]) };
    else throw new Error(`not an ipvsadm-save line: ${line}`);
  }
  return table;
}

describe("static ipvsadm rules", () => {
  const topo = exampleModel();

  it.each(["lb", "ilb", "slb"])("describe the same IPVS table as keepalived's virtual servers for pair %s", (pairName) => {
    const keepalived = structuredClone(topo) as any;
    keepalived.directorPairs[pairName].ipvs = "keepalived";
    const fixed = structuredClone(topo) as any;
    fixed.directorPairs[pairName].ipvs = "static";
    const master = topo.directorPairs[pairName].master;
    const conf = renderDirectorPair(keepalived, pairName, testSecrets)[master].find((f) => f.path === KEEPALIVED_CONF)!.content;
    const rules = renderDirectorPair(fixed, pairName, testSecrets)[master].find((f) => f.path === "/etc/ipvsadm.rules")!.content;
    const expected = fromKeepalived(conf);
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(fromIpvsadm(rules)).toEqual(expected);
  });

  it("are in ipvsadm-save -n form", () => {
    const rules = renderDirectorPair(topo, "slb", testSecrets).slv1.find((f) => f.path === "/etc/ipvsadm.rules")!.content;
    expect(rules).toBe([
      "-A -t 192.168.31.30:25 -s wlc -p 300",
      "-a -t 192.168.31.30:25 -r 192.168.31.131:25 -g -w 1",
      "-a -t 192.168.31.30:25 -r 192.168.31.132:25 -g -w 1",
      "",
    ].join("\n"));
  });

  it("leave keepalived with VRRP only on a static pair", () => {
    const conf = renderDirectorPair(topo, "slb", testSecrets).slv1.find((f) => f.path === KEEPALIVED_CONF)!.content;
    expect(conf).toContain("vrrp_instance VI_STATIC");
    expect(conf).not.toContain("virtual_server");
  });
});
