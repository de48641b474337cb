import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_KEY_CONFIG, labHost, labPrivateKey } from "../../lab/stack.ts";
import { ROOT } from "../helpers/example.ts";
import { dsasProject } from "../helpers/project.ts";
import { lab, run, until } from "../helpers/lab.ts";

// A stack deployed by dsas-kit 0.1.0 (the last release before the plan and the
// per-component names), then taken over by this checkout: every resource keeps
// its identity (aliases), nothing is replaced, no daemon restarts, no VIP moves.
const RELEASE = "0d6637d";
const HOSTS = ["lb1", "lb2", "web1", "web2"];
const vips = ["10.10.31.10", "10.10.31.100", "192.168.31.10"];
const holders = (vip: string) => ["lb1", "lb2"].filter((h) => run(h, "ip -4 -o addr show").includes(` ${vip}/`));
const keepalivedPid = (host: string) => run(host, "systemctl show -p MainPID --value keepalived").trim();

const topology = {
  hosts: Object.fromEntries(HOSTS.map((h) => [h, labHost(h)])),
  directorPairs: {
    lb: {
      master: "lb1", backup: "lb2",
      instances: {
        VI_EXT: { interface: "eth0", virtualRouterId: 31, virtualIps: ["10.10.31.10", "10.10.31.100"], authentication: { secret: "vrrpAuth" } },
        VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: ["192.168.31.10"], authentication: { secret: "vrrpAuth" } },
      },
      syncGroups: { VG_LB: { instances: ["VI_EXT", "VI_INT"] } },
      virtualServers: { web: { vip: "10.10.31.100", port: 80, pool: "web", lbAlgo: "wrr", lbKind: "NAT" } },
    },
  },
  pools: { web: { port: 80, realServers: { web1: { weight: 2 }, web2: {} }, checks: [{ type: "TCP_CHECK" }] } },
};

/** The release's sources and its provider plugin, built from git as its own set-up built it. */
function release(): string {
  const dir = mkdtempSync(join(tmpdir(), "dsas-release-"));
  const tar = spawnSync("sh", ["-c", `git -C ${ROOT} archive ${RELEASE} | tar -x -C ${dir}`], { encoding: "utf8" });
  if (tar.status !== 0) throw new Error(`git archive ${RELEASE}: ${tar.stderr}`);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const bin = join(dir, "pulumi-resource-dsas");
  const go = spawnSync("go", ["build", "-trimpath", "-ldflags", "-s -w -X main.version=0.1.0", "-o", bin, "."], { cwd: join(dir, "provider"), encoding: "utf8" });
  if (go.status !== 0) throw new Error(`building the 0.1.0 provider: ${go.stderr}`);
  const install = spawnSync("pulumi", ["plugin", "install", "resource", "dsas", "0.1.0", "--file", bin, "--reinstall"], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`installing the 0.1.0 provider: ${install.stdout}${install.stderr}`);
  return dir;
}

describe("upgrading a stack deployed by dsas-kit 0.1.0", () => {
  const p = dsasProject("dsas-upgrade");
  let old = "";
  const pulumiIn = (cwd: string, args: string[]) => {
    const r = spawnSync("pulumi", [...args, "--stack", "lab", "--non-interactive"], { cwd, env: { ...p.env, NO_COLOR: "1" }, encoding: "utf8" });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(() => {
    lab("up", "--only", ...HOSTS, "client");
    for (const h of ["web1", "web2"]) run(h, `echo ${h} >/var/www/html/index.html && systemctl start nginx`);
    old = release();
    p.init("lab", { "dsas:topology": topology }, { "dsas:vrrpAuth": "labPass1", [`dsas:${LAB_KEY_CONFIG}`]: labPrivateKey() });
    // The release deploys from its own sources, against the same stack and backend.
    symlinkSync(join(p.project, "Pulumi.lab.yaml"), join(old, "Pulumi.lab.yaml"));
  }, 1_800_000);
  afterAll(() => {
    p.pulumi(["destroy", "--yes", "--stack", "lab"]);
    p.remove();
    rmSync(old, { recursive: true, force: true });
  });

  it("deploys with 0.1.0, then previews this checkout's program with nothing replaced", async () => {
    const first = pulumiIn(old, ["up", "--yes"]);
    expect(first.code, first.out).toBe(0);
    await until("lb1 holds every VIP", () => vips.every((v) => holders(v).join() === "lb1"), 60);

    const preview = p.pulumi(["preview", "--json", "--stack", "lab"]);
    expect(preview.code, preview.out).toBe(0);
    const steps: { op: string; urn: string }[] = JSON.parse(preview.stdout).steps;
    const name = (s: { urn: string }) => s.urn.split("::").at(-1)!;
    const ops = (op: string) => steps.filter((s) => s.op === op).map(name).sort();
    console.log(`upgrade preview: ${JSON.stringify(Object.fromEntries(["same", "update", "create", "delete", "replace"].map((o) => [o, ops(o).length])))}`);
    expect(steps.filter((s) => /replace/.test(s.op))).toEqual([]);
    // Every service keeps its resource under its new name.
    expect(ops("create").filter((n) => /-(director|keepalived|realserver)$/.test(n))).toEqual([]);
    // What goes is what 0.2.0 no longer has: dsas-apply as a resource of its own, and the Host and RealServer components.
    expect(ops("delete")).toEqual(["lb1", "lb1-dsas-apply", "lb2", "lb2-dsas-apply", "web1", "web1", "web1-dsas-apply", "web2", "web2", "web2-dsas-apply"]);
  }, 900_000);

  it("takes over with no daemon restarted and no VIP moved, then has nothing left to do", () => {
    const pids = { lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") };
    const r = p.pulumi(["up", "--yes", "--stack", "lab"]);
    expect(r.code, r.out).toBe(0);
    // What 0.1.0 had no use for comes on each director: the IPVS table keepalived.conf implies (which a refresh compares the kernel's with),
    // the maintenance track_file in keepalived.conf and its file, and the state the gate checks after a change; the other files stay as they are.
    // (The engine may print a message both as it comes and in its summary.)
    expect([...new Set(r.out.match(/\w+: applied [1-9]\d* changed file\(s\)/g))].sort()).toEqual(["keepalived: applied 4 changed file(s)"]);
    for (const h of ["lb1", "lb2"]) {
      expect(run(h, "cat /etc/keepalived/dsas/ipvs.rules"), h).toContain("-A -t 10.10.31.100:80 -s wrr\n");
      expect(run(h, "cat /etc/keepalived/dsas/maintenance"), h).toBe("0\n");
      expect(run(h, "cat /etc/keepalived/dsas/gate"), h).toContain(`instance VI_EXT ${h === "lb1" ? "150 MASTER" : "100 BACKUP"}\n`);
    }
    expect({ lb1: keepalivedPid("lb1"), lb2: keepalivedPid("lb2") }).toEqual(pids);
    expect(vips.every((v) => holders(v).join() === "lb1")).toBe(true);
    expect(run("client", "curl -s -m 5 http://10.10.31.100/").trim()).toMatch(/^web[12]$/);
    expect(p.pulumi(["preview", "--stack", "lab"]).out).toMatch(/Resources:\s+\d+ unchanged/);
  }, 600_000);
});
