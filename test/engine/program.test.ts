import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { EXAMPLE_STACK, ROOT } from "../helpers/example.ts";
import { dsasProject } from "../helpers/project.ts";

// The dsas program itself, run by the real engine against a throwaway backend.
const p = dsasProject("dsas-program");
const pulumi = (...args: string[]) => p.pulumi(args);
/** The example stack (its secrets encrypted with the lab passphrase), edited, as stack NAME. */
function stack(name: string, edit: (config: any) => void = () => {}) {
  const doc = parse(readFileSync(EXAMPLE_STACK, "utf8"));
  edit(doc.config);
  writeFileSync(join(p.project, `Pulumi.${name}.yaml`), stringify(doc));
  expect(pulumi("stack", "init", name).code).toBe(0);
}

describe("the dsas program under the real engine", () => {
  afterAll(() => p.remove());

  it("previews every host's services, backup director before master, with no secret in what it shows", () => {
    stack("good", (c) => {
      for (const h of Object.values<any>(c["dsas:topology"].hosts)) h.ssh = { insecureFirstContact: true };
    });
    // A preview connects to no host: these addresses are the articles' own, unreachable here.
    const r = pulumi("preview", "--json", "--stack", "good");
    expect(r.code, r.out).toBe(0);
    const steps: { op: string; urn: string; newState?: { inputs: any } }[] = JSON.parse(r.out).steps;
    const created = (name: string) => steps.find((s) => s.op === "create" && s.urn.endsWith(`::${name}`));
    for (const host of ["lv1", "lv2", "web1", "nfs1", "cache1", "img1"]) expect(created(`${host}-dsas-apply`), host).toBeDefined();
    const golden = readFileSync(join(ROOT, "test/golden/example/lv1/etc/keepalived/keepalived.conf"), "utf8");
    expect(created("lv1-keepalived")!.newState!.inputs.files["/etc/keepalived/keepalived.conf"].content).toBe(golden);
    expect(created("lv1-keepalived")!.newState!.inputs.applyCommand).toBe("/usr/local/libexec/dsas/dsas-apply keepalived keepalived:keepalived");
    const order = steps.map((s) => s.urn.split("::").at(-1));
    expect(order.indexOf("lv2-keepalived")).toBeLessThan(order.indexOf("lv1-keepalived"));
    for (const clear of ["dsas31Pw", "example-drbd-shared-secret", "example-check-pw"]) expect(r.out).not.toContain(clear);
    // Files holding a secret reach the provider as secrets; commands never carry one.
    expect(created("lv1-keepalived")!.newState!.inputs.files["/etc/keepalived/dsas/auth-VI_EXT.conf"].content).toBe("[secret]");
    expect(created("nfs1-drbd")!.newState!.inputs.files["/etc/drbd.d/r0.res"].content).toBe("[secret]");
    const commands = steps.flatMap((s) => [s.newState?.inputs?.applyCommand, s.newState?.inputs?.removeCommand]).filter(Boolean);
    expect(commands.length).toBeGreaterThan(20);
    for (const c of commands) expect(c).toMatch(/^(\/usr\/local\/libexec\/dsas\/dsas-(apply|drbd) [\w :-]+|sh -c '[^']*')$/);
  });

  it("refuses hosts whose host key is neither pinned nor explicitly left to a first contact", () => {
    stack("unpinned");
    const r = pulumi("preview", "--stack", "unpinned");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("topology.hosts.lv1.ssh.hostKey must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact");
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
