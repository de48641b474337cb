import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEPALIVED_CONF } from "../../components/services/keepalived.ts";
import { LAB_KEY_CONFIG, labHost, labPrivateKey } from "../../lab/stack.ts";
import { pidOf, ssh } from "../../lab/vm.ts";
import { type Answer, RequestStream } from "../../lab/traffic.ts";
import { ROOT } from "../helpers/example.ts";
import { dsasProject } from "../helpers/project.ts";
import { lab, logins, run, until } from "../helpers/lab.ts";

// The dsas program deployed by the real engine and the dsas provider over
// real SSH to lab VMs: two directors and their two NAT real servers.
const HOSTS = ["lb1", "lb2", "web1", "web2"];
// Sends traffic through the VIP; not part of the stack.
const CLIENT = "client";
const vips = ["10.10.31.10", "10.10.31.100", "192.168.31.10"];
const holders = (vip: string) => ["lb1", "lb2"].filter((h) => run(h, "ip -4 -o addr show").includes(` ${vip}/`));
const keepalivedPid = (host: string) => run(host, "systemctl show -p MainPID --value keepalived").trim();

/** Failed requests counted by what went wrong. */
const kinds = (failed: Answer[]) => {
  const k: Record<string, number> = {};
  for (const a of failed) {
    const key = `HTTP ${a.code}, curl exit ${a.exit}${a.exit === 28 ? (a.connect ? ", connected" : ", never connected") : ""}`;
    k[key] = (k[key] ?? 0) + 1;
  }
  return JSON.stringify(k);
};

// One keep-alive HTTP connection from the client through the VIP: a request
// at once, then request N on the same socket once /tmp/conn.goN exists,
// each answer in /tmp/conn.N.
async function openKeepAlive(requests: number): Promise<string> {
  const script = [
    "req() {",
    "  printf 'GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n' >&3",
    "  len=0",
    // Why a header never came, for the failure message: a timeout (read's status above 128) or the connection's end.
    "  while :; do",
    "    IFS= read -r -t 10 line <&3 || { s=$?; [ $s -gt 128 ] && echo 'no answer in 10 s' || echo 'the connection was closed or reset'; return; }",
    "    line=${line%$'\\r'}; [ -z \"$line\" ] && break",
    "    case $line in Content-Length:*) len=${line#*: } ;; esac",
    "    echo \"$line\"",
    "  done",
    "  IFS= read -r -t 10 -N \"$len\" body <&3 && echo \"body $body\"",
    "}",
    "exec 3<>/dev/tcp/10.10.31.100/80",
    "req >/tmp/conn.1",
    `for i in $(seq 2 ${requests}); do`,
    "  while [ ! -e /tmp/conn.go$i ]; do sleep 0.2; done",
    "  req >/tmp/conn.part && mv /tmp/conn.part /tmp/conn.$i",
    "done",
  ].join("\n");
  run(CLIENT, "rm -f /tmp/conn.*");
  expect(ssh(CLIENT, "cat >/tmp/keepalive.sh", script).status).toBe(0);
  run(CLIENT, "setsid bash /tmp/keepalive.sh </dev/null >/dev/null 2>&1 &");
  await until("the first answer", () => ssh(CLIENT, "grep -q '^body ' /tmp/conn.1").status === 0, 30);
  const first = run(CLIENT, "cat /tmp/conn.1");
  expect(first).toMatch(/^HTTP\/1\.1 200 OK/);
  return first;
}

/** Request n on the keep-alive connection, and its answer. */
async function askAgain(n: number): Promise<string> {
  run(CLIENT, `touch /tmp/conn.go${n}`);
  await until(`answer ${n} on the same connection`, () => ssh(CLIENT, `test -e /tmp/conn.${n}`).status === 0, 30);
  return run(CLIENT, `cat /tmp/conn.${n}`);
}

const body = (answer: string) => answer.match(/^body .*$/m)?.[0];

/** trackedCommand: a vrrp_script VI_EXT tracks, which faults it while it fails; trackedProcess: a process it tracks the same way. */
function topology(web2Weight = 1, extraGlobalConfig: string[] = [], members = ["web1", "web2"], maintenance?: string, trackedCommand?: string, trackedProcess?: string) {
  const tracked = {
    ...(trackedCommand ? { scripts: { chk_service: { command: trackedCommand, interval: 1, fall: 1 } } } : {}),
    ...(trackedProcess ? { trackProcesses: { service: { process: trackedProcess } } } : {}),
  };
  return {
    hosts: Object.fromEntries(HOSTS.map((h) => [h, labHost(h)])),
    directorPairs: {
      lb: {
        master: "lb1", backup: "lb2", extraGlobalConfig, ...(maintenance ? { maintenance } : {}), ...tracked,
        lvsSyncDaemon: { interface: "eth1", instance: "VI_INT" },
        instances: {
          VI_EXT: {
            interface: "eth0", virtualRouterId: 31, virtualIps: ["10.10.31.10", "10.10.31.100"], authentication: { secret: "vrrpAuth" },
            ...(trackedCommand ? { trackScripts: ["chk_service"] } : {}),
            ...(trackedProcess ? { trackProcesses: ["service"] } : {}),
          },
          VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: ["192.168.31.10"], authentication: { secret: "vrrpAuth" } },
        },
        syncGroups: { VG_LB: { instances: ["VI_EXT", "VI_INT"] } },
        virtualServers: { web: { vip: "10.10.31.100", port: 80, pool: "web", lbAlgo: "wrr", lbKind: "NAT" } },
      },
    },
    pools: {
      web: {
        port: 80,
        realServers: Object.fromEntries(members.map((m) => [m, { weight: m === "web1" ? 2 : web2Weight }])),
        checks: [{ type: "TCP_CHECK" }],
        drainSeconds: 40,
      },
    },
  };
}

describe("pulumi up of the dsas program over SSH to lab hosts", () => {
  const p = dsasProject("dsas-deploy");
  const up = () => p.pulumi(["up", "--yes", "--stack", "lab"]);

  beforeAll(() => {
    lab("up", "--only", ...HOSTS, CLIENT);
    // The web servers' own service, which the stack does not manage: nginx on port 80 naming its host,
    // keeping an idle client connection as long as IPVS does (900 s), for the long-lived connection tests.
    for (const h of ["web1", "web2"]) {
      run(h, `echo ${h} >/var/www/html/index.html && echo 'keepalive_timeout 900s;' >/etc/nginx/conf.d/keepalive.conf && systemctl start nginx`);
    }
    p.init("lab", { "dsas:topology": topology() }, { "dsas:vrrpAuth": "labPass1", [`dsas:${LAB_KEY_CONFIG}`]: labPrivateKey() });
  }, 1_800_000);
  afterAll(() => {
    // Leave the hosts as booted for the lab's other files.
    for (const stack of p.stacks()) p.pulumi(["destroy", "--yes", "--stack", stack]);
    p.remove();
  }, 600_000);

  it("deploys from scratch over one SSH connection per host, backup director before master", async () => {
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const r = up();
    expect(r.code, r.out).toBe(0);
    for (const h of HOSTS) {
      const opened = logins(h) - before[h] - 1;
      console.log(`first pulumi up: ${h} ${opened} SSH connection(s)`);
      expect(opened, h).toBe(1);
    }
    await until("lb1 holds every VIP", () => vips.every((v) => holders(v).join() === "lb1"), 60);
    const table = run("lb1", "ipvsadm -Ln");
    expect(table).toMatch(/TCP {2}10\.10\.31\.100:80 wrr/);
    expect(table).toMatch(/-> 192\.168\.31\.101:80 +Masq +2 /);
    expect(table).toMatch(/-> 192\.168\.31\.102:80 +Masq +1 /);
    // NAT real servers answer through the director's internal VIP.
    expect(run("web1", "ip -4 route show default")).toContain("via 192.168.31.10");
    // The engine's own progress lines, in the order things happened.
    expect(r.out.indexOf("lb2-keepalived created")).toBeGreaterThan(0);
    expect(r.out.indexOf("lb2-keepalived created"), "the backup first").toBeLessThan(r.out.indexOf("lb1-keepalived creating"));
    expect(run("lb1", "stat -c '%a %U' /etc/keepalived/dsas/auth-VI_EXT.conf")).toBe("600 root\n");
  }, 600_000);

  it("serves HTTP through the VIP from both web servers, NATed by the master", () => {
    const answers = new Set(Array.from({ length: 10 }, () => run(CLIENT, "curl -s -m 5 http://10.10.31.100/").trim()));
    expect([...answers].sort()).toEqual(["web1", "web2"]);
  });

  it("takes a web server whose nginx stopped out of the table by its health check, and back once it runs", async () => {
    const inTable = () => run("lb1", "ipvsadm -Ln -t 10.10.31.100:80").includes("192.168.31.101:80");
    run("web1", "systemctl stop nginx");
    const stopped = Date.now();
    await until("web1 out of the IPVS table", () => !inTable(), 60);
    console.log(`health check: web1 removed ${((Date.now() - stopped) / 1000).toFixed(1)} s after nginx stopped (delay_loop 5 s x retry 3)`);
    const answers = new Set(Array.from({ length: 4 }, () => run(CLIENT, "curl -s -m 5 http://10.10.31.100/").trim()));
    expect([...answers]).toEqual(["web2"]);
    run("web1", "systemctl start nginx");
    await until("web1 back in the IPVS table", inTable, 60);
  }, 180_000);

  it("keeps answering through the VIP when the master hangs: the backup takes the sync group over, then gives it back", async () => {
    // A bounded stream of requests from the client for 45 s, one at a time, each with a 1 s limit.
    run(CLIENT, "rm -f /tmp/stream /tmp/stream.done; setsid sh -c 'end=$(($(date +%s) + 45)); while [ $(date +%s) -lt $end ]; do "
      + "echo \"$(date +%s.%N) $(curl -s -m 1 -o /dev/null -w %{http_code} http://10.10.31.100/)\" >>/tmp/stream; done; touch /tmp/stream.done' </dev/null >/dev/null 2>&1 &");
    await new Promise((r) => setTimeout(r, 8000));
    const lb1 = pidOf("lb1")!;
    let resumedAt = Infinity;
    process.kill(lb1, "SIGSTOP");
    try {
      await until("lb2 holds every VIP", () => vips.every((v) => run("lb2", "ip -4 -o addr show").includes(` ${v}/`)), 60);
      await new Promise((r) => setTimeout(r, 8000));
      resumedAt = Number(run(CLIENT, "date +%s.%N"));
    } finally {
      process.kill(lb1, "SIGCONT");
    }
    await until("lb1 holds every VIP again, lb2 none", () => vips.every((v) => holders(v).join() === "lb1"), 60);
    await until("the stream ended", () => ssh(CLIENT, "test -e /tmp/stream.done").status === 0, 90);
    const stream = run(CLIENT, "cat /tmp/stream").trim().split("\n").map((l) => l.split(" ")).map(([t, code]) => ({ t: Number(t), ok: code === "200" }));
    const failed = stream.filter((r) => !r.ok).length;
    // The longest time between two answered requests: the outage the client saw.
    let outage = 0;
    let lastOk = stream[0].t;
    for (const r of stream) if (r.ok) { outage = Math.max(outage, r.t - lastOk); lastOk = r.t; }
    console.log(`failover under traffic: ${stream.length} requests, ${failed} failed, longest gap between answers ${outage.toFixed(2)} s `
      + "(physical limit 3 x advert_int + skew = 3.61 s)");
    const frozenAt = stream.findIndex((r) => !r.ok);
    expect(frozenAt, "some requests failed while the master hung").toBeGreaterThan(0);
    const servedByBackup = stream.filter((r) => r.ok && r.t > stream[frozenAt].t && r.t < resumedAt).length;
    expect(servedByBackup, "answers through the backup while the master was still frozen").toBeGreaterThan(0);
  }, 300_000);

  it("keeps a client's established connection through the VIP across a failover (lvs_sync_daemon)", async () => {
    const first = await openKeepAlive(2);
    // The master's sync daemon sends a connection once it has seen 3 packets, flushing its buffer at least every 2 s.
    const synced = await until("the backup lists the client's connection, sent by the master's sync daemon",
      () => /ESTABLISHED\s+10\.10\.31\.200:\d+\s+10\.10\.31\.100:80\s/.test(run("lb2", "ipvsadm -Lnc")), 30);
    console.log(`lvs_sync_daemon: the connection reached the backup's table within ${synced.toFixed(1)} s`);

    const lb1 = pidOf("lb1")!;
    let second = "";
    process.kill(lb1, "SIGSTOP");
    try {
      await until("lb2 holds every VIP", () => vips.every((v) => run("lb2", "ip -4 -o addr show").includes(` ${v}/`)), 60);
      second = await askAgain(2);
      if (!/^HTTP/.test(second)) second += `\nlb2's connections:\n${run("lb2", "ipvsadm -Lnc")}`;
    } finally {
      process.kill(lb1, "SIGCONT");
    }
    expect(second).toMatch(/^HTTP\/1\.1 200 OK/);
    // The same real server answered: the backup forwarded the connection by the state it was sent.
    expect(body(second)).toBe(body(first));
    await until("lb1 holds every VIP again, lb2 none", () => vips.every((v) => holders(v).join() === "lb1"), 60);
  }, 300_000);

  it("keeps every secret out of the state and the outputs", () => {
    const state = p.pulumi(["stack", "export", "--stack", "lab"]);
    expect(state.code).toBe(0);
    expect(state.out).not.toContain("labPass1");
    expect(state.out).not.toContain("PRIVATE KEY");
    expect(p.pulumi(["stack", "output", "--json", "--stack", "lab"]).out).not.toContain("labPass1");
  });

  it("does nothing and opens no SSH connection when nothing changed", () => {
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Resources:\s+\d+ unchanged/);
    for (const h of HOSTS) expect(logins(h) - before[h], h).toBe(1);
  });

  it("finds drift by refresh over one connection per host, tells a failed check from drift, and puts the drift back with up, no VIP moved and no keepalived restarted", async () => {
    const inTable = (h: string, rs: string) => run(h, "ipvsadm -Ln").includes(rs);
    // Runtime state, not drift: web2's check failing takes it out of both tables.
    run("web2", "systemctl stop nginx");
    await until("web2 out of both tables", () => !inTable("lb1", "192.168.31.102:80") && !inTable("lb2", "192.168.31.102:80"), 60);
    // Drift: a weight edited by hand on the backup, the master's virtual service deleted from the kernel.
    run("lb2", `sed -i 's/^\\( *weight\\) 1$/\\1 7/' ${KEEPALIVED_CONF}`);
    run("lb1", "ipvsadm -D -t 10.10.31.100:80");
    const pids = { lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") };
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    let started = Date.now();
    const refresh = p.pulumi(["refresh", "--yes", "--skip-preview", "--stack", "lab"]);
    const drifted = (Date.now() - started) / 1000;
    expect(refresh.code, refresh.out).toBe(0);
    expect(refresh.out).toMatch(new RegExp(`drift on \\S+ \\(pulumi up puts it back\\): ${KEEPALIVED_CONF} is not the deployed file`));
    expect(refresh.out).toContain("IPVS: virtual service TCP 10.10.31.100:80 is missing from the kernel table");
    expect(refresh.out).toContain("not drift: real server 192.168.31.102:80 of TCP 10.10.31.100:80 is out of the table (its check is failing)");
    expect(refresh.out).toMatch(/Resources:\s+~ 2 updated/);
    const opened = Object.fromEntries(HOSTS.map((h) => [h, logins(h) - before[h] - 1]));
    console.log(`pulumi refresh, drift on two hosts: ${drifted.toFixed(1)} s, SSH connections ${JSON.stringify(opened)}`);
    expect(opened).toEqual({ lb1: 1, lb2: 1, web1: 1, web2: 1 });

    run("web2", "systemctl start nginx");
    const preview = p.pulumi(["preview", "--diff", "--stack", "lab"]);
    expect(preview.code, preview.out).toBe(0);
    expect(preview.out).toMatch(/Resources:\s+~ 2 to update/);
    expect(preview.out).toMatch(/lb2-keepalived[\s\S]*lb1-keepalived/);
    const r = up();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("ipvsadm -A -t 10.10.31.100:80 -s wrr");
    expect(run("lb2", `grep -c 'weight 7' ${KEEPALIVED_CONF} || true`).trim()).toBe("0");
    await until("both web servers in both tables", () => ["lb1", "lb2"].every((h) => inTable(h, "192.168.31.101:80") && inTable(h, "192.168.31.102:80")), 60);
    expect(run("lb1", "ipvsadm -Ln -t 10.10.31.100:80")).toMatch(/-> 192\.168\.31\.101:80 +Masq +2 /);
    expect({ lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") }).toEqual(pids);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    started = Date.now();
    const again = p.pulumi(["refresh", "--yes", "--skip-preview", "--stack", "lab"]);
    console.log(`pulumi refresh, no drift: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(again.code, again.out).toBe(0);
    expect(again.out).not.toContain("drift on");
    expect(again.out).toMatch(/Resources:\s+\d+ unchanged/);
    expect(again.out).not.toMatch(/~ \d+ updated/);
  }, 600_000);

  it("shows the live state with dsas status over one connection per director, and names a failed check and VIPs on the backup", async () => {
    const dsasStatus = (...args: string[]) => {
      const r = spawnSync(process.execPath, [join(ROOT, "bin/dsas.ts"), "status", join(p.project, "Pulumi.lab.yaml"), ...args], { env: p.env, encoding: "utf8" });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const started = Date.now();
    const healthy = dsasStatus("--json");
    console.log(`dsas status of the lab stack: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(healthy.code, healthy.stderr + healthy.stdout).toBe(0);
    const s = JSON.parse(healthy.stdout);
    expect(s.problems).toEqual([]);
    // keepalived's dump holds the VRRP password; it stays on the host.
    expect(healthy.stdout).not.toContain("labPass1");
    expect(s.directorPairs.lb.vips).toEqual({ "10.10.31.10": ["lb1"], "10.10.31.100": ["lb1"], "192.168.31.10": ["lb1"] });
    for (const i of ["VI_EXT", "VI_INT"]) {
      expect(s.directorPairs.lb.instances.lb1[i]).toMatchObject({ state: "MASTER", effectivePriority: 150 });
      expect(s.directorPairs.lb.instances.lb2[i]).toMatchObject({ state: "BACKUP", effectivePriority: 100 });
    }
    for (const h of ["lb1", "lb2"]) {
      expect(s.directorPairs.lb.ipvs[h].map((x: { service: string; reals: { address: string; weight: number }[] }) => [x.service, x.reals.map((r) => `${r.address} ${r.weight}`)]))
        .toEqual([["TCP 10.10.31.100:80", ["192.168.31.101:80 2", "192.168.31.102:80 1"]]]);
      expect(s.directorPairs.lb.syncDaemon[h]).toMatch(/sync daemon/);
    }
    const opened = Object.fromEntries(HOSTS.map((h) => [h, logins(h) - before[h] - 1]));
    expect(opened).toEqual({ lb1: 1, lb2: 1, web1: 0, web2: 0 });
    // Nor does the dump stay behind (this look is a login of its own, so after the count).
    expect(run("lb1", "ls /tmp")).not.toContain("keepalived.json");
    expect(dsasStatus().stdout).toMatch(/VIP 10\.10\.31\.100 +on lb1\n[\s\S]*no problems\n$/);

    run("web2", "systemctl stop nginx");
    await until("web2 out of lb1's table", () => !run("lb1", "ipvsadm -Ln").includes("192.168.31.102:80"), 60);
    run("lb1", "systemctl stop keepalived");
    await until("the VIPs on lb2", () => vips.every((v) => holders(v).join() === "lb2"), 60);
    const degraded = dsasStatus();
    expect(degraded.code, degraded.stderr).toBe(1);
    expect(degraded.stdout).toContain("lb: VIPs on the backup lb2 (10.10.31.10, 10.10.31.100, 192.168.31.10)");
    expect(degraded.stdout).toContain("lb: keepalived on lb1 gave no state (keepalived is not running)");
    expect(degraded.stdout).toContain("lb: web has web2 (192.168.31.102:80) out of the table on lb2");
    run("lb1", "systemctl start keepalived");
    run("web2", "systemctl start nginx");
    await until("the VIPs back on lb1 and web2 back in its table", () => vips.every((v) => holders(v).join() === "lb1") && run("lb1", "ipvsadm -Ln").includes("192.168.31.102:80"), 120);
    expect(dsasStatus().code).toBe(0);
  }, 600_000);

  it("previews a weight change as that one line on both directors, then reloads backup then master with no failover and no failed request", async () => {
    p.setTopology("lab", topology(3));
    const preview = p.pulumi(["preview", "--diff", "--stack", "lab"]);
    expect(preview.code, preview.out).toBe(0);
    expect(preview.out.match(/^\s+- +weight 1$/gm)).toHaveLength(2);
    expect(preview.out.match(/^\s+\+ +weight 3$/gm)).toHaveLength(2);
    expect(preview.out.match(/^\s+~ dsas:host:ServiceConfig: \(update\)/gm)).toHaveLength(2);
    expect(preview.out).toMatch(/lb2-keepalived[\s\S]*lb1-keepalived/);
    expect(preview.out).toMatch(/Resources:\s+~ 2 to update/);

    const pids = { lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") };
    // A stream of new connections through the VIP from the client, running before, during and after the change.
    const stream = new RequestStream(CLIENT, "http://10.10.31.100/", { parallel: 8, batch: 200, maxSeconds: 600 });
    await stream.reach(400, 120);
    const before = Object.fromEntries(HOSTS.map((h) => [h, logins(h)]));
    const clock = () => Number(run(CLIENT, "date +%s.%N"));
    const upStart = clock();
    const r = up();
    const upEnd = clock();
    const during = stream.count();
    const answers = await stream.stop(Math.max(10_000, during + 400));
    const failed = answers.filter((a) => a.code !== 200).length;
    const seconds = answers.at(-1)!.t - answers[0].t;
    const when = (a: Answer) => (a.end < upStart ? "before" : a.t <= upEnd ? "during" : "after");
    const bad = answers.filter((x) => x.code !== 200);
    console.log(`weight change under a request stream: ${answers.length} requests in ${seconds.toFixed(0)} s (the up took ${(upEnd - upStart).toFixed(0)} s), `
      + `${failed} failed: ${["before", "during", "after"].map((w) => `${w} the up ${kinds(bad.filter((a) => when(a) === w))}`).join(", ")}`);
    expect(r.code, r.out).toBe(0);
    expect(answers.length).toBeGreaterThanOrEqual(10_000);
    expect(failed).toBe(0);
    const opened = Object.fromEntries(HOSTS.map((h) => [h, logins(h) - before[h] - 1]));
    console.log(`one-line change: SSH connections ${JSON.stringify(opened)}`);
    expect(opened).toEqual({ lb1: 1, lb2: 1, web1: 0, web2: 0 });
    // keepalived.conf and the table it implies (ipvs.rules).
    expect(r.out).toContain("keepalived: applied 2 changed file(s)");
    expect({ lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") }).toEqual(pids);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    expect(run("lb1", "ipvsadm -Ln")).toMatch(/-> 192\.168\.31\.102:80 +Masq +3 /);
  }, 1_200_000);

  it("hands the VIPs to lb2 for lb1's maintenance and takes them back, under a request stream, with a long-lived connection kept and no daemon restarted", async () => {
    const pids = { lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") };
    const first = await openKeepAlive(3);
    const stream = new RequestStream(CLIENT, "http://10.10.31.100/", { parallel: 8, batch: 200, maxSeconds: 900 });
    await stream.reach(400, 120);
    const clock = () => Number(run(CLIENT, "date +%s.%N"));
    const moves: { name: string; start: number; end: number }[] = [];

    p.setTopology("lab", topology(3, [], undefined, "lb1"));
    let start = clock();
    const away = up();
    moves.push({ name: "to lb2", start, end: clock() });
    expect(away.code, away.out).toBe(0);
    expect(away.out).toMatch(/handover: lb2's table holds the \d+ connection\(s\) established through lb1/);
    expect(away.out).toMatch(/lb1-keepalived updated/);
    expect(vips.map(holders)).toEqual(vips.map(() => ["lb2"]));
    expect(run("lb1", "cat /etc/keepalived/dsas/maintenance")).toBe("1\n");
    const meanwhile = await askAgain(2);
    expect(body(meanwhile), "the same real server, through lb2").toBe(body(first));
    // Maintenance keeps them there: nothing to do, nothing moves.
    expect(p.pulumi(["preview", "--stack", "lab"]).out).toMatch(/Resources:\s+\d+ unchanged/);

    p.setTopology("lab", topology(3));
    start = clock();
    const back = up();
    expect(back.code, back.out).toBe(0);
    expect(back.out).toMatch(/handover: lb1's table holds the \d+ connection\(s\) established through lb2/);
    // lb1 takes the VIPs back by preempting, once its reload is done: the move ends when they are there.
    await until("lb1 holds every VIP again, lb2 none", () => vips.every((v) => holders(v).join() === "lb1"), 60);
    moves.push({ name: "back to lb1", start, end: clock() });
    const after = await askAgain(3);
    expect(body(after), "the same real server, through lb1 again").toBe(body(first));

    const answers = await stream.stop(Math.max(10_000, stream.count() + 400));
    const failed = answers.filter((a) => a.code !== 200);
    // A request was made between its batch's start and end: during a move if that span overlaps the move.
    const during = (m: (typeof moves)[number]) => failed.filter((a) => a.t <= m.end && a.end >= m.start);
    for (const m of moves) console.log(`handover ${m.name}: pulumi up ${(m.end - m.start).toFixed(0)} s, ${during(m).length} request(s) failed`);
    console.log(`handover and back under a request stream: ${answers.length} requests, ${failed.length} failed ${kinds(failed)}; the long-lived connection answered by the same real server three times`);
    expect(answers.length).toBeGreaterThanOrEqual(10_000);
    // The goal is none. What can fail: a connection the master began in its last moment, which its
    // sync daemon had not sent yet when keepalived stopped it; so only during a move, and at most
    // the stream's 8 in flight.
    expect(failed.filter((a) => !moves.some((m) => during(m).includes(a))), "failures outside the moves").toEqual([]);
    for (const m of moves) expect(during(m).length, `failed while the VIPs moved ${m.name}`).toBeLessThanOrEqual(8);
    expect({ lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") }, "no keepalived restarted").toEqual(pids);
  }, 1_800_000);

  it("stops at the backup when keepalived refuses a change: the master is not touched, both keep their config", () => {
    const sums = { lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) };
    p.setTopology("lab", topology(3, ["vrrp_no_such_option 1"]));
    const r = up();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("keepalived: the new configuration was refused, nothing changed:");
    expect(r.out).toContain("vrrp_no_such_option");
    expect(r.out).not.toMatch(/lb1-keepalived +updating/);
    expect({ lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) }).toEqual(sums);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    p.setTopology("lab", topology(3));
    expect(p.pulumi(["preview", "--stack", "lab"]).out).toMatch(/Resources:\s+\d+ unchanged/);
  }, 300_000);

  it("stops at the backup when its state after a change is not the one the stack predicts: its files back, the master not touched", () => {
    const sums = { lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) };
    const pids = { lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") };
    // A tracked script that looks for a process the directors do not run: keepalived -t accepts it, and it faults the instances.
    p.setTopology("lab", topology(3, [], undefined, undefined, "/usr/bin/pgrep -x haproxy"));
    const r = up();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("keepalived: verifying the change failed; the previous files are back in place:");
    expect(r.out).toMatch(/keepalived is not as the stack predicts \d+ s after the change, so lb1 is not touched/);
    expect(r.out).toMatch(/VI_EXT: FAULT, predicted BACKUP: a tracked script, process, interface or file faults it/);
    expect(r.out).not.toMatch(/lb1-keepalived +updating/);
    expect({ lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) }).toEqual(sums);
    expect({ lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") }, "no keepalived restarted").toEqual(pids);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    // With its previous files lb2 is as predicted again: the same gate passes.
    expect(ssh("lb2", "/usr/local/libexec/dsas/dsas-gate after /etc/keepalived/dsas/gate /etc/keepalived/dsas/ipvs.rules").status).toBe(0);
    p.setTopology("lab", topology(3));
    expect(p.pulumi(["preview", "--stack", "lab"]).out).toMatch(/Resources:\s+\d+ unchanged/);
  }, 300_000);

  it("stops at the backup as well for a tracked process that does not run (vrrp_track_process, told by the kernel's process events)", () => {
    const sums = { lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) };
    p.setTopology("lab", topology(3, [], undefined, undefined, undefined, "haproxy"));
    const r = up();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/VI_EXT: FAULT, predicted BACKUP: a tracked script, process, interface or file faults it/);
    expect(r.out).not.toMatch(/lb1-keepalived +updating/);
    expect({ lb1: run("lb1", `sha256sum ${KEEPALIVED_CONF}`), lb2: run("lb2", `sha256sum ${KEEPALIVED_CONF}`) }).toEqual(sums);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    p.setTopology("lab", topology(3));
  }, 300_000);

  it("refuses a host whose key is not the pinned one before running anything", () => {
    const t = topology(3);
    t.hosts.web2.ssh.hostKey = labHost("web1").ssh.hostKey;
    const before = logins("web2");
    p.setTopology("lab", t);
    const r = up();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/host key mismatch at 127\.0\.0\.1:22203: it presented ssh-ed25519 \S+, not the pinned connection\.hostKey; nothing was run/);
    expect(logins("web2") - before - 1, "logins on web2 during the up: none, the key is refused before").toBe(0);
    p.setTopology("lab", topology(3));
  }, 300_000);

  it("drains a real server that leaves the pool: weight 0 while its connections last, then removed", async () => {
    const web2Line = () => run("lb1", "ipvsadm -Ln -t 10.10.31.100:80").split("\n").find((l) => l.includes("192.168.31.102:80"));
    const active = () => Number(web2Line()?.trim().split(/\s+/)[4] ?? 0);
    // lb1 may still count connections that ended through lb2 while it held the VIPs (the handover):
    // their end never reached lb1's sync copy, which IPVS keeps as established for up to 15 min.
    // None is the client's, which has no connection open now; the drain cannot tell them apart.
    expect(run(CLIENT, "ss -Htn state established dst 10.10.31.100").trim(), "the client's connections to the VIP").toBe("");
    const stale = active();
    console.log(`drain: lb1 counts ${stale} active connection(s) on web2 that the client does not hold`);
    // Idle keep-alive connections through the VIP, held open by the client; some land on web2. Each
    // sends a request first: nginx closes a connection that sends nothing after 60 s (client_header_timeout).
    run(CLIENT, "for i in 1 2 3 4 5 6 7 8; do setsid sh -c '(printf \"GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n\"; sleep 300) | nc 10.10.31.100 80 >/dev/null' </dev/null >/dev/null 2>&1 & done");
    await until("a connection of the client's on web2", () => active() > stale, 30);

    p.setTopology("lab", topology(3, [], ["web1"]));
    const upDone = new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn("pulumi", ["up", "--yes", "--stack", "lab", "--non-interactive"], { cwd: p.project, env: { ...p.env, NO_COLOR: "1" } });
      let out = "";
      child.stdout.on("data", (d) => { out += d; });
      child.stderr.on("data", (d) => { out += d; });
      child.on("close", (code) => resolve({ code, out }));
    });
    // While it drains, web2 takes no new connection but keeps the ones it has.
    await until("web2 at weight 0 with connections", () => {
      const f = web2Line()?.trim().split(/\s+/);
      return f !== undefined && f[3] === "0" && Number(f[4]) > stale;
    }, 120);
    const during = new Set(Array.from({ length: 6 }, () => run(CLIENT, "curl -s -m 5 http://10.10.31.100/").trim()));
    expect([...during]).toEqual(["web1"]);
    run(CLIENT, "pkill -x nc; pkill -x sleep; true");
    // The client's connections end in lb1's table while the drain still waits (or has ended: no web2 line).
    await until("the client's connections on web2 ended", () => active() <= stale, 20);
    const r = await upDone;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("keepalived: draining 192.168.31.102:80 from 10.10.31.100:80");
    // It waited for the client's connections and for nothing else but what it cannot tell from them.
    const left = Number(r.out.match(/192\.168\.31\.102:80 still had (\d+) active/)?.[1] ?? 0);
    expect(left, "connections counted when the drain gave up: none of the client's").toBeLessThanOrEqual(stale);
    expect(web2Line()).toBeUndefined();
  }, 600_000);

  it("stops the services and removes dsas-kit's files on destroy", () => {
    const r = p.pulumi(["destroy", "--yes", "--stack", "lab"]);
    expect(r.code, r.out).toBe(0);
    expect(ssh("lb1", "systemctl is-active keepalived").stdout.trim()).not.toBe("active");
    expect(ssh("lb1", `test -e ${KEEPALIVED_CONF}`).status).not.toBe(0);
    expect(holders("10.10.31.100")).toEqual([]);
  }, 300_000);
});
