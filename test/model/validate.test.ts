import { describe, expect, it } from "vitest";
import { parseTopology } from "../../components/model/validate.ts";
import { exampleRaw as example, problems } from "../helpers/example.ts";

describe("topology validation", () => {
  it("accepts the example stack", () => {
    expect(problems(() => {})).toEqual([]);
  });

  it.each([
    ["a priority out of range", (t: any) => { t.directorPairs.lb.instances.VI_EXT.priority = { master: 300 }; },
      "topology.directorPairs.lb.instances.VI_EXT.priority.master must be 1..254, got 300"],
    ["a VRID out of range", (t: any) => { t.directorPairs.lb.instances.VI_INT.virtualRouterId = 0; },
      "topology.directorPairs.lb.instances.VI_INT.virtualRouterId must be 1..255, got 0"],
    ["a VRID reused on one segment", (t: any) => { t.directorPairs.slb.instances.VI_STATIC.virtualRouterId = 61; },
      "topology.directorPairs.slb.instances.VI_STATIC.virtualRouterId 61 is already used on segment 192.168.31.0/24 by directorPairs.ilb.instances.VI_DB; VRIDs must be unique per segment"],
    ["backup priority not below master's", (t: any) => { t.directorPairs.lb.instances.VI_INT.priority = { master: 100, backup: 100 }; },
      "topology.directorPairs.lb.instances.VI_INT.priority.master must be greater than priority.backup (100), got 100"],
    ["a VIP outside its interface's subnet", (t: any) => { t.directorPairs.lb.instances.VI_EXT.virtualIps.push("10.10.32.100"); },
      "topology.directorPairs.lb.instances.VI_EXT.virtualIps[2] 10.10.32.100 is outside eth0's subnet 10.10.31.0/24"],
    ["a malformed VIP", (t: any) => { t.directorPairs.lb.instances.VI_EXT.virtualIps[1] = "10.10.31.300"; },
      "topology.directorPairs.lb.instances.VI_EXT.virtualIps[1] must be an IPv4 address such as 10.10.31.100, got \"10.10.31.300\""],
    ["an interface only one director has", (t: any) => { delete t.hosts.lv2.interfaces.eth1; },
      "topology.directorPairs.lb.instances.VI_INT.interface 'eth1' is not an interface of lv2"],
    ["sub-second adverts with VRRPv2", (t: any) => { t.directorPairs.ilb.instances.VI_DB.vrrpVersion = 2; },
      "topology.directorPairs.ilb.instances.VI_DB.advertInt must be whole seconds with vrrpVersion 2 (sub-second adverts need vrrpVersion 3), got 0.2"],
    ["authentication with VRRPv3", (t: any) => { t.directorPairs.ilb.instances.VI_DB.authentication = { secret: "vrrpAuth" }; },
      "topology.directorPairs.ilb.instances.VI_DB.authentication must not be set with vrrpVersion 3, which has no authentication"],
    ["a check command keepalived cannot quote", (t: any) => { t.directorPairs.lb.scripts.chk_uplink.command = '/bin/sh -c "ping -c1 10.10.31.1"'; },
      "topology.directorPairs.lb.scripts.chk_uplink.command must not contain a double quote (\"): it would end keepalived's quoted string, got \"/bin/sh -c \\\"ping -c1 10.10.31.1\\\"\""],
    ["a tracked script that does not exist", (t: any) => { t.directorPairs.lb.instances.VI_EXT.trackScripts = ["chk_nothing"]; },
      "topology.directorPairs.lb.instances.VI_EXT.trackScripts[0] names script 'chk_nothing', which is not defined under scripts"],
    ["a weighted script in a sync group", (t: any) => { t.directorPairs.lb.scripts.chk_uplink.weight = -60; },
      "topology.directorPairs.lb.instances.VI_EXT.trackScripts[0] names script 'chk_uplink' with weight -60, which keepalived ignores in sync group 'VG_LB'; give it weight 0 (fault the group)"],
    ["a tracked file that does not exist", (t: any) => { t.directorPairs.lb.instances.VI_EXT.trackFiles = ["deploying"]; },
      "topology.directorPairs.lb.instances.VI_EXT.trackFiles[0] names track file 'deploying', which is not defined under trackFiles"],
    ["a tracked process that does not exist", (t: any) => { t.directorPairs.ilb.instances.VI_DB.trackProcesses = ["haproxy"]; },
      "topology.directorPairs.ilb.instances.VI_DB.trackProcesses[0] names track process 'haproxy', which is not defined under trackProcesses"],
    ["a weighted track file in a sync group", (t: any) => {
      t.directorPairs.lb.trackFiles = { deploying: { file: "/run/deploying", weight: -60 } };
      t.directorPairs.lb.instances.VI_INT.trackFiles = ["deploying"];
    }, "topology.directorPairs.lb.instances.VI_INT.trackFiles[0] names track file 'deploying' with weight -60, which keepalived ignores in sync group 'VG_LB'; give it weight 0 (fault the group)"],
    ["a weighted track process in a sync group", (t: any) => {
      t.directorPairs.lb.trackProcesses = { proxy: { process: "haproxy", weight: -60 } };
      t.directorPairs.lb.instances.VI_EXT.trackProcesses = ["proxy"];
    }, "topology.directorPairs.lb.instances.VI_EXT.trackProcesses[0] names track process 'proxy' with weight -60, which keepalived ignores in sync group 'VG_LB'; give it weight 0 (fault the group)"],
    ["a track file named as dsas-kit's maintenance one", (t: any) => { t.directorPairs.lb.trackFiles = { dsas_maintenance: { file: "/run/x" } }; },
      "topology.directorPairs.lb.trackFiles.dsas_maintenance must not be named 'dsas_maintenance', the track file of dsas-kit's maintenance"],
    ["a process name longer than /proc/PID/comm holds", (t: any) => { t.directorPairs.lb.trackProcesses = { exporter: { process: "prometheus-node-exporter" } }; },
      "topology.directorPairs.lb.trackProcesses.exporter.process must be at most 15 bytes, as long as a process name in /proc/PID/comm can be ('prometheus-node' is how 'prometheus-node-exporter' shows there); give parameters or fullCommand: true to match the command line"],
    ["a process name with a path", (t: any) => { t.directorPairs.lb.trackProcesses = { proxy: { process: "/usr/sbin/haproxy" } }; },
      "topology.directorPairs.lb.trackProcesses.proxy.process must be a process name without '/', as /proc/PID/comm has it (for example 'haproxy'), or give parameters or fullCommand: true to match the command line, got '/usr/sbin/haproxy'"],
    ["a partial parameter match with no parameters", (t: any) => { t.directorPairs.lb.trackProcesses = { proxy: { process: "haproxy", paramMatch: "partial" } }; },
      "topology.directorPairs.lb.trackProcesses.proxy.paramMatch 'partial' needs parameters to match"],
    ["a process quorum no count can meet", (t: any) => { t.directorPairs.lb.trackProcesses = { proxy: { process: "haproxy", quorum: 2, quorumMax: 1 } }; },
      "topology.directorPairs.lb.trackProcesses.proxy.quorumMax must be at least quorum (2), got 1: no count of processes would be OK"],
    ["a process name keepalived cannot quote", (t: any) => { t.directorPairs.lb.trackProcesses = { proxy: { process: "ha\"proxy" } }; },
      "topology.directorPairs.lb.trackProcesses.proxy.process must not contain a double quote (\"): it would end keepalived's quoted string, got \"ha\\\"proxy\""],
    ["a sync group naming an unknown instance", (t: any) => { t.directorPairs.lb.syncGroups.VG_LB.instances[1] = "VI_LAN"; },
      "topology.directorPairs.lb.syncGroups.VG_LB.instances[1] names instance 'VI_LAN', which is not defined under instances"],
    ["a director missing from hosts", (t: any) => { t.directorPairs.lb.backup = "lv9"; },
      "topology.directorPairs.lb.backup names host 'lv9', which is not defined under hosts"],
    ["the same host as master and backup", (t: any) => { t.directorPairs.lb.backup = "lv1"; },
      "topology.directorPairs.lb.backup must differ from master, got 'lv1' for both"],
    ["a virtual server on an address that is not a VIP", (t: any) => { t.directorPairs.lb.virtualServers.web.vip = "10.10.31.101"; },
      "topology.directorPairs.lb.virtualServers.web.vip 10.10.31.101 is not a VIP of this director pair (10.10.31.10, 10.10.31.100, 192.168.31.10)"],
    ["a port out of range", (t: any) => { t.directorPairs.lb.virtualServers.web.port = 70000; },
      "topology.directorPairs.lb.virtualServers.web.port must be 1..65535, got 70000"],
    ["a pool that does not exist", (t: any) => { t.directorPairs.lb.virtualServers.web.pool = "www"; },
      "topology.directorPairs.lb.virtualServers.web.pool names pool 'www', which is not defined under pools"],
    ["an unknown scheduler", (t: any) => { t.directorPairs.lb.virtualServers.web.lbAlgo = "random"; },
      "topology.directorPairs.lb.virtualServers.web.lbAlgo must be one of \"rr\", \"wrr\", \"lc\", \"wlc\", \"lblc\", \"lblcr\", \"dh\", \"sh\", \"sed\", \"nq\", \"mh\", \"fo\", \"ovf\", \"twos\", got \"random\""],
    ["a NAT real server off the internal segment", (t: any) => { t.hosts.web2.interfaces.eth0 = "192.168.32.102/24"; },
      "topology.pools.web.realServers.web2 is a NAT real server at 192.168.32.102, but the director pair holds no VIP on that segment to be its gateway; add the internal VIP to an instance on that segment (virtual server directorPairs.lb.virtualServers.web, NAT)"],
    ["a DR real server off the VIP's segment", (t: any) => { t.hosts.db3.interfaces.eth0 = "10.20.0.123/24"; },
      "topology.pools.mysql.realServers.db3 is a DR real server but has no interface on the segment of VIP 192.168.31.20; DR needs the real server on the VIP's segment (virtual server directorPairs.ilb.virtualServers.mysql, DR)"],
    ["a TUN service remapping the port", (t: any) => { t.directorPairs.lb.virtualServers.web.lbKind = "TUN"; t.directorPairs.lb.virtualServers.web.port = 8080; },
      "topology.directorPairs.lb.virtualServers.web.port must equal pool 'web' port 80 for TUN, which cannot change the port, got 8080"],
    ["a DR service remapping the port", (t: any) => { t.directorPairs.ilb.virtualServers.mysql.port = 3307; },
      "topology.directorPairs.ilb.virtualServers.mysql.port must equal pool 'mysql' port 3306 for DR, which cannot change the port, got 3307"],
    ["a pool member that is not a host", (t: any) => { t.pools.smtp.realServers.smtp9 = {}; },
      "topology.pools.smtp.realServers.smtp9 is not a host defined under hosts"],
    ["a pool with no health check behind keepalived's checkers", (t: any) => { t.pools.web.checks = []; },
      "topology.pools.web.checks must have at least one health check: director pair 'lb' serves this pool with keepalived's checkers"],
    ["an unknown check type", (t: any) => { t.pools.web.checks[0].type = "HTTP_HEAD"; },
      "topology.pools.web.checks[0].type must be one of HTTP_GET, SSL_GET, TCP_CHECK, SMTP_CHECK, DNS_CHECK, MISC_CHECK, MYSQL_REPLICATION"],
    ["a real server's own checks left empty behind keepalived's checkers", (t: any) => { t.pools.web.realServers.web2.checks = []; },
      "topology.pools.web.realServers.web2.checks must have at least one health check: director pair 'lb' serves this pool with keepalived's checkers"],
    ["a pool without checks where a real server has none of its own", (t: any) => {
      t.pools.web.realServers.web2.checks = [{ type: "TCP_CHECK" }];
      t.pools.web.checks = [];
    }, "topology.pools.web.checks must have at least one health check: director pair 'lb' serves this pool with keepalived's checkers"],
    ["a real server with a MySQL replication check of its own", (t: any) => { t.pools.mysql.realServers.db2.checks = [structuredClone(t.pools.mysql.checks[0])]; },
      "topology.pools.mysql.realServers.db2.checks[0].type must be one of HTTP_GET, SSL_GET, TCP_CHECK, SMTP_CHECK, DNS_CHECK, MISC_CHECK (MYSQL_REPLICATION is a pool's check only: its user and password go in one credentials file per pool)"],
    ["a DNS check's name that is not a DNS name", (t: any) => { t.pools.web.checks.push({ type: "DNS_CHECK", name: "x.example.com" }); },
      "topology.pools.web.checks[1].name must be a DNS name such as example.com (labels of letters, digits, '-' and '_' separated by '.', each but a last one without a dot after it at least 2 long, as keepalived 2.2.7 reads a one-character label as empty), or '.' for the root, got \"x.example.com\""],
    ["a MySQL check password given in clear", (t: any) => { t.pools.mysql.checks[0].password = "hunter2"; },
      "topology.pools.mysql.checks[0].password must be object, got \"hunter2\""],
    ["a typo in a key", (t: any) => { t.directorPairs.lb.instances.VI_EXT.advert_int = 1; },
      "topology.directorPairs.lb.instances.VI_EXT has unknown key 'advert_int'"],
    ["DRBD nodes sharing no segment", (t: any) => { t.hosts.nfs2.interfaces.eth0 = "192.168.40.42/24"; },
      "topology.drbdPairs.nfs.nodes.nfs1 shares no segment with nfs2; give each node's address"],
    ["a DRBD node address not on the node", (t: any) => { t.drbdPairs.nfs.nodes.nfs2.address = "192.168.31.41"; },
      "topology.drbdPairs.nfs.nodes.nfs2 address 192.168.31.41 is not on any interface of nfs2"],
    ["a DRBD initial sync source outside the pair", (t: any) => { t.drbdPairs.nfs.initialSyncSource = "nfs3"; },
      "topology.drbdPairs.nfs.initialSyncSource must be one of the pair's nodes (nfs1, nfs2), got 'nfs3'"],
    ["a DRBD pair of one node", (t: any) => { delete t.drbdPairs.nfs.nodes.nfs2; },
      "topology.drbdPairs.nfs.nodes must name exactly two nodes"],
    ["a squid with a cache_dir", (t: any) => { t.cacheTiers.images.squidExtraConfig = ["cache_dir ufs /var/spool/squid 100 16 256"]; },
      "topology.cacheTiers.images.squidExtraConfig[0] sets a cache_dir; squid nodes cache in memory only"],
    ["a sibling squid never consults", (t: any) => { t.cacheTiers.images.squidExtraConfig = ["cache_peer 10.0.1.3 sibling 3128 3130 no-query no-digest proxy-only"]; },
      "topology.cacheTiers.images.squidExtraConfig[0] declares a sibling with no-query and no-digest, which squid never consults; use siblings: icp or htcp"],
    ["an ambiguous NAT gateway", (t: any) => { t.directorPairs.lb.instances.VI_INT.virtualIps.push("192.168.31.9"); },
      "topology.pools.web.realServers.web1 has several VIPs of the pair on its segment (192.168.31.10, 192.168.31.9); set the virtual server's gateway (virtual server directorPairs.lb.virtualServers.web, NAT)"],
    ["cache digests between memory-only squids", (t: any) => { t.cacheTiers.images.siblings = "digest"; },
      "topology.cacheTiers.images.siblings must be icp, htcp or none: cache digests are not offered, since squid builds its digest only from a cache_dir and these squids cache in memory only, got \"digest\""],
    ["siblings with a single squid", (t: any) => { t.cacheTiers.images.squids = ["cache1"]; },
      "topology.cacheTiers.images.siblings is 'icp' but there is only one squid; siblings need at least two"],
    ["a NAT real server of two gateways", (t: any) => {
      t.directorPairs.lb.instances.VI_INT.virtualIps.push("192.168.31.9");
      t.directorPairs.lb.virtualServers.web.gateway = "192.168.31.10";
      t.directorPairs.lb.virtualServers.web2 = { vip: "10.10.31.100", port: 8080, pool: "web", lbKind: "NAT", gateway: "192.168.31.9" };
    }, "topology.hosts.web1 is a NAT real server of services that need different default gateways (192.168.31.10, 192.168.31.9): directorPairs.lb.virtualServers.web (NAT via 192.168.31.10); directorPairs.lb.virtualServers.web2 (NAT via 192.168.31.9)"],
  ])("refuses %s", (_what, mutate, message) => {
    expect(problems(mutate)).toContain(message);
  });

  it("reports every problem at once, each with its path", () => {
    const found = problems((t) => {
      t.directorPairs.lb.instances.VI_EXT.priority = { master: 300 };
      t.pools.web.port = 0;
    });
    expect(found).toEqual([
      "topology.directorPairs.lb.instances.VI_EXT.priority.master must be 1..254, got 300",
      "topology.pools.web.port must be 1..65535, got 0",
    ]);
  });

  it("fills defaults from the schema", () => {
    const t = parseTopology(example());
    expect(t.directorPairs.lb.instances.VI_INT).toMatchObject({ advertInt: 1, vrrpVersion: 2, priority: { master: 150, backup: 100 }, nopreempt: false });
    expect(t.drbdPairs.nfs).toMatchObject({ protocol: "C", port: 7788, metaDisk: "internal", afterSplitBrain: { zeroPrimaries: "disconnect", onePrimary: "disconnect", twoPrimaries: "disconnect" } });
    expect(t.hosts.web1.ssh).toMatchObject({ port: 22, user: "root", insecureFirstContact: false });
  });
});
