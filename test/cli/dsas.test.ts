import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { EXAMPLE_STACK, ROOT } from "../helpers/example.ts";

const dir = mkdtempSync(join(tmpdir(), "dsas-cli-"));
const dsas = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/dsas.ts"), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
function stackWith(name: string, edit: (config: any) => void): string {
  const doc = parse(readFileSync(EXAMPLE_STACK, "utf8"));
  edit(doc.config);
  const path = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The example pins no host key: pulumi up would refuse every host with work.
const EXAMPLE_HOSTS = ["cache1", "cache2", "db1", "db2", "db3", "db4", "ilv1", "ilv2", "img1", "lv1", "lv2", "nas1", "nas2", "nfs1", "nfs2", "slv1", "slv2", "smtp1", "smtp2", "web1", "web2"];
const unpinned = (hosts = EXAMPLE_HOSTS) => hosts.map((h) =>
  `warning: topology.hosts.${h}.ssh.hostKey must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact; pulumi up refuses the host until then\n`).join("");

describe("dsas check and render", () => {
  it("accepts the example stack, warning of each host pulumi up would refuse for its unpinned key", () => {
    const r = dsas("check", EXAMPLE_STACK);
    expect(r).toMatchObject({ code: 0, stderr: unpinned() });
    expect(r.stdout).toMatch(/^ok: 21 hosts, 3 director pairs, 3 pools, 1 DRBD pairs, 2 storage pairs, 1 cache tiers; \d+ files would be rendered\n$/);
  });

  it("warns of no host whose key is pinned or that is a lab's first contact, nor of one without work", () => {
    const r = dsas("check", stackWith("pinned", (c) => {
      const hosts = c["dsas:topology"].hosts;
      for (const h of Object.values<any>(hosts)) h.ssh = { hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpin" };
      hosts.web2.ssh = { insecureFirstContact: true };
      delete hosts.web1.ssh;
      hosts.spare = { interfaces: { eth0: "192.168.31.200/24" } };
    }));
    expect(r).toMatchObject({ code: 0, stderr: unpinned(["web1"]) });
  });

  it("refuses a bad stack with every field path and reason, and exit 1", () => {
    const bad = stackWith("bad", (c) => {
      c["dsas:topology"].directorPairs.lb.instances.VI_EXT.priority = { master: 300 };
      c["dsas:topology"].pools.web.realServers.web3 = {};
    });
    const r = dsas("check", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe([
      "the stack's topology is invalid:",
      "  topology.directorPairs.lb.instances.VI_EXT.priority.master must be 1..254, got 300",
      "  topology.pools.web.realServers.web3 is not a host defined under hosts",
      "",
    ].join("\n"));
  });

  it("refuses a reference to a secret the stack does not have", () => {
    const r = dsas("check", stackWith("nosecret", (c) => { delete c["dsas:drbdSecret"]; }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("topology.drbdPairs.nfs.sharedSecret.secret names 'drbdSecret', but the stack has no config key 'dsas:drbdSecret' (pulumi config set --secret drbdSecret ...)");
  });

  it("accepts plain secrets for offline review only, and says so", () => {
    const r = dsas("check", stackWith("plain", (c) => { c["dsas:vrrpAuth"] = "plainPw1"; }));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: secrets given as plain values, accepted for offline review only (pulumi up requires them encrypted): vrrpAuth\n${unpinned()}`);
  });

  it("renders every host's files under DIR/<host>/<path> with their modes", () => {
    const out = join(dir, "out");
    const r = dsas("render", stackWith("render", (c) => { c["dsas:vrrpAuth"] = "plainPw1"; }), "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`warning: secrets given as plain values, accepted for offline review only (pulumi up requires them encrypted): vrrpAuth\n${unpinned()}note: encrypted secrets are written as REDACTED; only pulumi up decrypts them\n`);
    expect(r.stdout).toMatch(/^rendered \d+ files for \d+ hosts into /);
    expect(readFileSync(join(out, "lv1/etc/keepalived/dsas/auth-VI_EXT.conf"), "utf8")).toBe("auth_type PASS\nauth_pass plainPw1\n");
    expect(statSync(join(out, "lv1/etc/keepalived/dsas/auth-VI_EXT.conf")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, "nfs1/etc/drbd.d/r0.res"), "utf8")).toContain('shared-secret "REDACTED"');
    expect(statSync(join(out, "web1/usr/local/libexec/dsas/realserver-net")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(out, "lv1/etc/keepalived/keepalived.conf"), "utf8"))
      .toBe(readFileSync(join(ROOT, "test/golden/example/lv1/etc/keepalived/keepalived.conf"), "utf8"));
  });

  it("prints usage and exits 2 on a malformed command line, and exits 0 when asked for --help", () => {
    expect(dsas("render", EXAMPLE_STACK)).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: dsas check") });
    expect(dsas("status", EXAMPLE_STACK, "--yaml")).toMatchObject({ code: 2, stderr: expect.stringContaining("dsas status <stack.yaml> [--json]") });
    expect(dsas("--help")).toMatchObject({ code: 0, stdout: expect.stringContaining("dsas status <stack.yaml> [--json]") });
  });
});

describe("dsas diagram", () => {
  it("draws the example stack as the picture in docs/, with every host, VIP and service", () => {
    const r = dsas("diagram", EXAMPLE_STACK);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, "docs/example-stack.svg"), "utf8"));
    for (const text of ["lv1", "director lb (master)", "10.10.31.100:80/TCP", "wrr NAT, pool web", "DRBD r0, protocol C", "storage pair db: MariaDB primary :3306 at 192.168.31.120", "qdevice vote", "URI hash", "192.168.31.0/24"]) {
      expect(r.stdout).toContain(text);
    }
  });

  it("refuses an invalid topology with its field path, drawing nothing", () => {
    const r = dsas("diagram", stackWith("bad-diagram", (c) => { c["dsas:topology"].directorPairs.lb.master = "nosuch"; }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("topology.directorPairs.lb.master");
  });
});
