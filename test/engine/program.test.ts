import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { engineEnv } from "../helpers/engine.ts";
import { EXAMPLE_STACK, ROOT } from "../helpers/example.ts";

// The dsas program itself, run by the real engine against a throwaway backend.
const dir = mkdtempSync(join(tmpdir(), "dsas-program-"));
const project = join(dir, "project");
mkdirSync(project);
mkdirSync(join(dir, "backend"));
for (const f of ["Pulumi.yaml", "package.json", "index.ts", "components", "templates", "node_modules"]) {
  symlinkSync(join(ROOT, f), join(project, f));
}
const env = engineEnv(join(dir, "backend"), "dsas-lab-only");
function pulumi(...args: string[]) {
  const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}
function stack(name: string, edit: (config: any) => void = () => {}) {
  const doc = parse(readFileSync(EXAMPLE_STACK, "utf8"));
  edit(doc.config);
  writeFileSync(join(project, `Pulumi.${name}.yaml`), stringify(doc));
  expect(pulumi("stack", "init", name).code).toBe(0);
}

describe("the dsas program under the real engine", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports each pair's master, backup and VIPs, and each host's file digests, without secrets in state", () => {
    stack("good");
    const up = pulumi("up", "--yes", "--stack", "good");
    expect(up.code, up.out).toBe(0);
    const outputs = JSON.parse(execFileSync("pulumi", ["stack", "output", "--json", "--stack", "good"], { cwd: project, env, encoding: "utf8" }));
    expect(outputs.directorPairs.lb).toEqual({ master: "lv1", backup: "lv2", vips: ["10.10.31.10", "10.10.31.100", "192.168.31.10"] });
    const golden = readFileSync(join(ROOT, "test/golden/example/lv1/etc/keepalived/keepalived.conf"));
    expect(outputs.fileDigests.lv1["/etc/keepalived/keepalived.conf"]).toBe(`sha256:${createHash("sha256").update(golden).digest("hex")}`);
    expect(outputs.secretFileDigests).toBe("[secret]");
    const state = execFileSync("pulumi", ["stack", "export", "--stack", "good"], { cwd: project, env, encoding: "utf8" });
    for (const clear of ["dsas31Pw", "example-drbd-shared-secret", "example-check-pw"]) expect(state).not.toContain(clear);

    const again = pulumi("preview", "--diff", "--stack", "good");
    expect(again.out).toMatch(/1 unchanged/);
  });

  it("refuses a bad topology with the field path before anything runs", () => {
    stack("bad", (c) => { c["dsas:topology"].directorPairs.lb.instances.VI_EXT.virtualRouterId = 300; });
    const r = pulumi("preview", "--stack", "bad");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("topology.directorPairs.lb.instances.VI_EXT.virtualRouterId must be 1..255, got 300");
  });

  it("refuses a secret stored in clear", () => {
    stack("plain", (c) => { c["dsas:vrrpAuth"] = "plainPw1"; });
    const r = pulumi("preview", "--stack", "plain");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("dsas:vrrpAuth is referenced as a secret but stored in clear; set it with pulumi config set --secret vrrpAuth ...");
  });
});
