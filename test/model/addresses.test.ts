import { describe, expect, it } from "vitest";
import { problems } from "../helpers/example.ts";

describe("address rules across the stack", () => {
  it.each([
    ["two hosts with one address", (t: any) => { t.hosts.web2.interfaces.eth0 = "192.168.31.101/24"; }, [
      "topology.hosts.web2.interfaces.eth0 192.168.31.101 is already the address of web1's eth0; every interface address must be unique across hosts"]],
    ["one host with one address twice", (t: any) => { t.hosts.web1.interfaces.eth1 = "192.168.31.101/16"; }, [
      "topology.hosts.web1.interfaces.eth1 192.168.31.101 is already the address of web1's eth0; every interface address must be unique across hosts"]],
    ["a VIP that is a director's own address", (t: any) => { t.directorPairs.lb.instances.VI_EXT.virtualIps[0] = "10.10.31.11"; }, [
      "topology.directorPairs.lb.instances.VI_EXT.virtualIps[0] 10.10.31.11 is the address of lv1's eth0; a VIP must be an address no host has"]],
    ["a VIP that is a real server's address", (t: any) => { t.directorPairs.slb.instances.VI_STATIC.virtualIps.push("192.168.31.101"); }, [
      "topology.directorPairs.slb.instances.VI_STATIC.virtualIps[1] 192.168.31.101 is the address of web1's eth0; a VIP must be an address no host has"]],
    ["a VIP in two instances of two pairs", (t: any) => { t.directorPairs.slb.instances.VI_STATIC.virtualIps.push("192.168.31.20"); }, [
      "topology.directorPairs.slb.instances.VI_STATIC.virtualIps[1] 192.168.31.20 is already a VIP at directorPairs.ilb.instances.VI_DB.virtualIps[0]; a VIP belongs to one instance"]],
    ["a VIP listed twice in one instance", (t: any) => { t.directorPairs.lb.instances.VI_EXT.virtualIps.push("10.10.31.10"); }, [
      "topology.directorPairs.lb.instances.VI_EXT.virtualIps[2] 10.10.31.10 is already a VIP at directorPairs.lb.instances.VI_EXT.virtualIps[0]; a VIP belongs to one instance"]],
    ["directors that disagree on a segment's prefix", (t: any) => { t.hosts.lv2.interfaces.eth1 = "192.168.31.12/16"; }, [
      "topology.hosts.lv2.interfaces.eth1 192.168.31.12/16 shares a segment with lv1's eth1 192.168.31.11/24 but not its prefix; the directors of pair 'lb' must agree on each shared segment's prefix, which keepalived gives their VIPs"]],
    ["a unicast pair whose ends are one address", (t: any) => { t.hosts.ilv2.interfaces.eth0 = "192.168.31.13/24"; }, [
      "topology.hosts.ilv2.interfaces.eth0 192.168.31.13 is already the address of ilv1's eth0; every interface address must be unique across hosts",
      "topology.directorPairs.ilb.instances.VI_DB.unicast is true, but ilv1 and ilv2 both have 192.168.31.13 on eth0: unicast_src_ip and unicast_peer must differ"]],
    ["a sorry server that is one of the pool's real servers", (t: any) => { t.directorPairs.lb.virtualServers.web.sorryServer = { address: "192.168.31.102", port: 8080 }; }, [
      "topology.directorPairs.lb.virtualServers.web.sorryServer.address 192.168.31.102 is web2, a real server of pool 'web'; the sorry server serves when every real server is down, so it must be another machine"]],
    ["a sorry server on another interface of a real server", (t: any) => {
      t.hosts.web1.interfaces.eth1 = "10.0.9.1/24";
      t.directorPairs.lb.virtualServers.web.sorryServer = { address: "10.0.9.1", port: 80 };
    }, ["topology.directorPairs.lb.virtualServers.web.sorryServer.address 10.0.9.1 is web1, a real server of pool 'web'; the sorry server serves when every real server is down, so it must be another machine"]],
  ])("refuses %s", (_what, mutate, expected) => {
    expect(problems(mutate)).toEqual(expected);
  });

  describe("a storage pair's service address", () => {
    const storage = (address: string, second?: string) => (t: any) => {
      Object.assign(t.hosts, { sto1: { interfaces: { eth0: "192.168.31.51/24" } }, sto2: { interfaces: { eth0: "192.168.31.52/24" } }, arb1: { interfaces: { eth0: "192.168.31.53/24" } } });
      const pair = (a: string) => ({
        nodes: { sto1: { disk: "/dev/sdb" }, sto2: { disk: "/dev/sdb" } }, sharedSecret: { secret: "drbdSecret" }, initialSyncSource: "sto1",
        filesystem: { mountPoint: "/srv/db" }, address: a, arbiter: "arb1", clusterKey: { secret: "corosyncKey" }, mariadb: {},
      });
      t.storagePairs = { db: pair(address), ...(second ? { db2: { ...pair(second), resource: "r2", nodes: { sto1: { disk: "/dev/sdc" }, sto2: { disk: "/dev/sdc" } } } } : {}) };
    };
    it.each([
      ["a VIP", storage("192.168.31.20"), "topology.storagePairs.db.address 192.168.31.20 is already a VIP at directorPairs.ilb.instances.VI_DB.virtualIps[0]; an address that moves belongs to one instance or pair"],
      ["another pair's", storage("192.168.31.50", "192.168.31.50"), "topology.storagePairs.db2.address 192.168.31.50 is already the service address at storagePairs.db.address; an address that moves belongs to one instance or pair"],
    ])("is refused when it is %s", (_what, mutate, message) => {
      expect(problems(mutate)).toContain(message);
    });

    it("is accepted when no VIP or pair has it", () => {
      expect(problems(storage("192.168.31.50")).filter((p) => p.startsWith("topology.storagePairs.db.address"))).toEqual([]);
    });
  });

  it.each([
    ["neighbouring addresses", (t: any) => { t.hosts.web2.interfaces.eth0 = "192.168.31.103/24"; }],
    ["directors on one /16", (t: any) => { t.hosts.lv1.interfaces.eth1 = "192.168.31.11/16"; t.hosts.lv2.interfaces.eth1 = "192.168.31.12/16"; }],
    ["a sorry server on the master director, as the example has", () => {}],
    ["a sorry server no host has", (t: any) => { t.directorPairs.lb.virtualServers.web.sorryServer = { address: "192.168.31.103", port: 80 }; }],
  ])("accepts %s", (_what, mutate) => {
    expect(problems(mutate)).toEqual([]);
  });
});
