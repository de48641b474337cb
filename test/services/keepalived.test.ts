import { describe, expect, it } from "vitest";
import type { Model } from "../../components/model/normalize.ts";
import { planDirectorPair } from "../../components/plan/plan.ts";
import { GATE_FILE, KEEPALIVED_CONF } from "../../components/services/keepalived.ts";
import { exampleModel, exampleRaw, filesBy, modelOf, testSecrets, type ServiceFile } from "../helpers/example.ts";
import { expectGolden } from "../helpers/golden.ts";
import { runOnHost } from "../helpers/sandbox.ts";

const topo = exampleModel();
const pairs = Object.keys(topo.directorPairs);
const directors = pairs.flatMap((p) => [topo.directorPairs[p].backup, topo.directorPairs[p].master].map((h) => ({ pair: p, host: h })));
const renderDirectorPair = (m: Model, pair: string, secrets: (name: string) => string) => filesBy(planDirectorPair(m.directorPairs[pair], m.hosts), secrets);
const rendered = Object.assign({}, ...pairs.map((p) => renderDirectorPair(topo, p, testSecrets))) as Record<string, ServiceFile[]>;
const fileOf = (host: string, path: string) => rendered[host].find((f) => f.path === path)!;

describe("director pair rendering", () => {
  it.each(directors)("keepalived -t accepts $pair/$host's config with no warning", ({ host }) => {
    const r = runOnHost({ hostname: host, interfaces: topo.hosts[host].interfaces, files: rendered[host] },
      `keepalived -t -f ${KEEPALIVED_CONF}`);
    expect(r, r.output).toEqual({ code: 0, output: "" });
  });

  it.each(directors)("$pair/$host matches its golden files", ({ host }) => {
    for (const f of rendered[host]) expectGolden("example", host, f);
  });

  it("puts the backup first, and gives master and backup the same virtual servers", () => {
    const lb = renderDirectorPair(topo, "lb", testSecrets);
    expect(Object.keys(lb)).toEqual(["lv2", "lv1"]);
    const body = (h: string) => lb[h].find((f) => f.path === KEEPALIVED_CONF)!.content.split("\n# virtual server")[1];
    expect(body("lv1")).toBe(body("lv2"));
    expect(fileOf("lv1", KEEPALIVED_CONF).content).toMatch(/state MASTER\n.*\n.*\n\s+priority 150/);
    expect(fileOf("lv2", KEEPALIVED_CONF).content).toMatch(/state BACKUP\n.*\n.*\n\s+priority 100/);
  });

  it("keeps secrets out of keepalived.conf, in 0600 files it includes", () => {
    const conf = fileOf("lv1", KEEPALIVED_CONF);
    expect(conf.secret).toBe(false);
    expect(conf.content).not.toContain("t3stPass");
    expect(conf.content).toContain("include /etc/keepalived/dsas/auth-VI_EXT.conf");
    const auth = fileOf("lv1", "/etc/keepalived/dsas/auth-VI_EXT.conf");
    expect(auth).toMatchObject({ secret: true, mode: "0600", content: "auth_type PASS\nauth_pass t3stPass\n" });
    const cnf = fileOf("ilv1", "/etc/keepalived/dsas/mysql-mysql.cnf");
    expect(cnf).toMatchObject({ secret: true, mode: "0600" });
    expect(cnf.content).toContain('password = "test-check-pw"');
    expect(fileOf("ilv1", KEEPALIVED_CONF).content).not.toContain("test-check-pw");
  });

  it("renders files that hold no secret identically whatever the secrets are", () => {
    const other = renderDirectorPair(topo, "lb", (n) => `x${n}`.slice(0, 8));
    for (const f of rendered.lv1.filter((x) => !x.secret)) {
      expect(other.lv1.find((x) => x.path === f.path)!.content).toBe(f.content);
    }
  });

  it("is deterministic", () => {
    expect(renderDirectorPair(topo, "ilb", testSecrets)).toEqual(renderDirectorPair(topo, "ilb", testSecrets));
  });

  it("writes the MySQL check against each replica with the model's lag threshold", () => {
    const conf = fileOf("ilv2", KEEPALIVED_CONF).content;
    for (const ip of ["192.168.31.122", "192.168.31.123"]) {
      expect(conf).toContain(`misc_path "/usr/local/libexec/dsas/mysql-replication-check /etc/keepalived/dsas/mysql-mysql.cnf ${ip} 3306 30"`);
    }
    expect(fileOf("ilv2", "/usr/local/libexec/dsas/mysql-replication-check").mode).toBe("0755");
  });

  it("enables forwarding only on directors of NAT services", () => {
    expect(fileOf("lv1", "/etc/sysctl.d/60-dsas-director.conf").content).toContain("net.ipv4.ip_forward = 1");
    expect(fileOf("ilv1", "/etc/sysctl.d/60-dsas-director.conf").content).not.toContain("ip_forward");
  });
});

describe("director pair rendering of every keepalived option the model has", () => {
  // The example, with the options it does not use switched on.
  const raw = exampleRaw();
  const lb = raw.directorPairs.lb;
  lb.scriptUser = "root";
  lb.extraGlobalConfig = ["vrrp_garp_interval 0.001"];
  lb.lvsSyncDaemon = { interface: "eth1", instance: "VI_INT", syncId: 7 };
  Object.assign(lb.instances.VI_INT, {
    notify: { master: "/usr/bin/true", backup: "/usr/bin/true", fault: "/usr/bin/true", stop: "/usr/bin/true", any: "/usr/bin/logger" },
    extraConfig: ["dont_track_primary"],
  });
  lb.syncGroups.VG_LB.notify = { master: "/usr/bin/logger" };
  // Weighted, and enough to move the VIPs: 150 - 60 is below the backup's 100 (nopreempt would keep them; the example's slb has it).
  lb.scripts.chk_flag = { command: "/usr/bin/test -e /run/dsas-maintenance", interval: 5, weight: -60, fall: 1, rise: 3 };
  lb.instances.VI_ALT = {
    ...structuredClone(lb.instances.VI_INT), virtualRouterId: 33, virtualIps: ["192.168.31.9"], notify: undefined,
    preemptDelay: 10, trackScripts: ["chk_flag"], authentication: undefined, unicast: true, extraConfig: [],
  };
  // A file a deploy tool writes and a process keepalived watches, on the ungrouped VI_ALT (weighted) and the grouped VI_INT (faulting).
  lb.trackFiles = { deploying: { file: "/run/dsas-test/deploying", initValue: 0 }, load: { file: "/run/dsas-test/load", weight: -10 } };
  lb.trackProcesses = {
    sshd: { process: "sshd", weight: -60, quorumMax: 4, quorum: 1, delay: 2 },
    exporter: { process: "/usr/bin/prometheus-node-exporter", parameters: ["--collector.ipvs"], paramMatch: "partial", quorum: 1, quorumMax: 2 },
    agent: { process: "/usr/bin/python3 /usr/local/bin/agent.py", fullCommand: true },
  };
  lb.instances.VI_ALT.trackFiles = ["deploying", "load"];
  lb.instances.VI_ALT.trackProcesses = ["sshd"];
  lb.instances.VI_INT.trackFiles = ["deploying"];
  lb.instances.VI_INT.trackProcesses = ["exporter", "agent"];
  raw.pools.web.checks.push(
    { type: "SSL_GET", path: "/health", statusCode: 200, digest: "9b3a0c85a887a256d6939da88aabd8cd", virtualHost: "www.example.com", port: 443, connectTimeout: 3, retry: 2, delayBeforeRetry: 1 },
    { type: "MISC_CHECK", command: "/usr/bin/true", timeout: 3 },
    { type: "DNS_CHECK", queryType: "A", name: "www.example.com", port: 53, connectTimeout: 2, retry: 1, delayBeforeRetry: 1 },
  );
  // web2 with checks of its own, two of one type, checked more often.
  Object.assign(raw.pools.web.realServers.web2, { delayLoop: 2, checks: [{ type: "HTTP_GET", path: "/ready" }, { type: "HTTP_GET", path: "/live", statusCode: 204 }] });
  lb.virtualServers.udp = {
    vip: "10.10.31.100", port: 80, protocol: "UDP", pool: "web", lbAlgo: "sh", lbKind: "TUN", persistenceTimeout: 60, delayLoop: 10, quorum: 2, hysteresis: 1,
    quorumUp: "/usr/bin/true", quorumDown: "/usr/bin/logger", alpha: true, omega: true, inhibitOnFailure: true,
    sorryServer: { address: "10.10.31.250", port: 80, inhibit: true }, extraConfig: [],
  };
  lb.virtualServers.web.gateway = "192.168.31.10";
  const t = modelOf(raw);
  const files = renderDirectorPair(t, "lb", testSecrets);

  it.each(["lv1", "lv2"])("keepalived -t accepts %s's config with no warning", (host) => {
    const r = runOnHost({ hostname: host, interfaces: t.hosts[host].interfaces, files: files[host] }, `keepalived -t -f ${KEEPALIVED_CONF}`);
    expect(r, r.output).toEqual({ code: 0, output: "" });
  });

  it("writes each option where keepalived reads it", () => {
    const conf = files.lv2.find((f) => f.path === KEEPALIVED_CONF)!.content;
    for (const line of [
      "    lvs_sync_daemon eth1 VI_INT id 7\n",
      "    vrrp_garp_interval 0.001\n}",
      '    notify_master "/usr/bin/true"\n    notify_backup "/usr/bin/true"\n    notify_fault "/usr/bin/true"\n    notify_stop "/usr/bin/true"\n    notify "/usr/bin/logger"\n    dont_track_primary\n}',
      "    preempt_delay 10\n",
      "    unicast_src_ip 192.168.31.12\n    unicast_peer {\n        192.168.31.11\n    }\n",
      "virtual_server 10.10.31.100 80 {\n    delay_loop 10\n    lvs_sched sh\n    lvs_method TUN\n    protocol UDP\n    persistence_timeout 60\n    quorum 2\n    hysteresis 1\n"
        + '    quorum_up "/usr/bin/true"\n    quorum_down "/usr/bin/logger"\n    alpha\n    omega\n    inhibit_on_failure\n    sorry_server 10.10.31.250 80\n    sorry_server_inhibit\n',
      "        DNS_CHECK {\n            type A\n            name www.example.com\n            connect_port 53\n            connect_timeout 2\n            retry 1\n            delay_before_retry 1\n        }\n",
      "    real_server 192.168.31.102 80 {\n        weight 1\n        delay_loop 2\n        HTTP_GET {\n            url {\n                path /ready\n                status_code 200\n            }\n",
      "        HTTP_GET {\n            url {\n                path /live\n                status_code 204\n            }\n",
      "        SSL_GET {\n            url {\n                path /health\n                status_code 200\n                digest 9b3a0c85a887a256d6939da88aabd8cd\n            }\n            connect_port 443\n            virtualhost www.example.com\n",
      '        MISC_CHECK {\n            misc_path "/usr/bin/true"\n            misc_timeout 3\n        }\n',
      'track_file deploying {\n    file "/run/dsas-test/deploying"\n    weight 0\n    init_file 0\n}\n\ntrack_file load {\n    file "/run/dsas-test/load"\n    weight -10\n}\n',
      'vrrp_track_process agent {\n    process "/usr/bin/python3 /usr/local/bin/agent.py"\n    weight 0\n    quorum 1\n    full_command\n}\n',
      'vrrp_track_process exporter {\n    process "/usr/bin/prometheus-node-exporter" "--collector.ipvs"\n    param_match partial\n    weight 0\n    quorum 1\n    quorum_max 2\n}\n',
      'vrrp_track_process sshd {\n    process "sshd"\n    weight -60\n    quorum 1\n    quorum_max 4\n    delay 2\n}\n',
      "    track_file {\n        dsas_maintenance\n        deploying\n        load\n    }\n    track_process {\n        sshd\n    }\n",
      "    track_file {\n        dsas_maintenance\n        deploying\n    }\n    track_process {\n        exporter\n        agent\n    }\n",
    ]) expect(conf).toContain(line);
  });
});

describe("the gate's first look", () => {
  it("waits out a tracked process's delay, as it does a tracked script's failures", () => {
    const settle = (mutate: (raw: any) => void) => {
      const raw = exampleRaw();
      mutate(raw.directorPairs.ilb);
      const files = renderDirectorPair(modelOf(raw), "ilb", testSecrets);
      return files.ilv2.find((f) => f.path === GATE_FILE)!.content.match(/^settle (\d+)$/m)?.[1];
    };
    // VRRPv3 adverts every 0.2 s: the floor of 2 s.
    expect(settle(() => {})).toBe("2");
    expect(settle((ilb) => {
      ilb.trackProcesses = { mariadb: { process: "mariadbd", delay: 20 } };
      ilb.instances.VI_DB.trackProcesses = ["mariadb"];
    })).toBe("21");
    expect(settle((ilb) => {
      ilb.scripts = { chk: { command: "/usr/bin/true", interval: 3, fall: 4 } };
      ilb.instances.VI_DB.trackScripts = ["chk"];
    })).toBe("15");
  });
});
