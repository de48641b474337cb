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
    // Every host with work gets its services, each named after its component.
    for (const name of ["lb-lv1-keepalived", "lb-lv2-director", "web-web1-realserver", "nfs-nfs1-drbd", "images-cache1-squid", "images-img1-nginx"]) {
      expect(created(name), name).toBeDefined();
    }
    const golden = readFileSync(join(ROOT, "test/golden/example/lv1/etc/keepalived/keepalived.conf"), "utf8");
    const lv1 = created("lb-lv1-keepalived")!.newState!.inputs;
    expect(lv1.files["/etc/keepalived/keepalived.conf"].content).toBe(golden);
    expect(lv1.hooks).toEqual({ check: "keepalived -t -f /etc/keepalived/keepalived.conf", prepare: "dsas-gate before && dsas-drain /etc/keepalived/dsas/drain.list",
      apply: "dsas-reload keepalived", verify: "dsas-gate after /etc/keepalived/dsas/gate /etc/keepalived/dsas/ipvs.rules", remove: "systemctl disable -q --now keepalived",
      drift: "dsas-drift unit keepalived && dsas-drift ipvs keepalived /etc/keepalived/dsas/ipvs.rules" });
    expect(lv1.needs).toEqual(["keepalived:keepalived"]);
    expect(lv1.tools).toBeUndefined();
    const order = steps.map((s) => s.urn.split("::").at(-1));
    expect(order.indexOf("lb-lv2-keepalived")).toBeLessThan(order.indexOf("lb-lv1-keepalived"));
    for (const clear of ["dsas31Pw", "example-drbd-shared-secret", "example-check-pw"]) expect(r.out).not.toContain(clear);
    // Files holding a secret reach the provider as secrets; hooks never carry one.
    expect(lv1.files["/etc/keepalived/dsas/auth-VI_EXT.conf"].content).toBe("[secret]");
    expect(created("nfs-nfs1-drbd")!.newState!.inputs.files["/etc/drbd.d/r0.res"].content).toBe("[secret]");
    expect(created("files-nas1-cluster")!.newState!.inputs.files["/etc/corosync/authkey"].content).toBe("[secret]");
    const hooks = steps.flatMap((s) => Object.values<string>(s.newState?.inputs?.hooks ?? {}));
    expect(hooks.length).toBeGreaterThan(20);
    for (const h of hooks) expect(h).toMatch(/^[\w ./>&|;-]+$/);
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

  it("refuses a decrypted secret its file cannot hold, with the field path, before any resource exists", () => {
    stack("longpass", (c) => {
      for (const h of Object.values<any>(c["dsas:topology"].hosts)) h.ssh = { insecureFirstContact: true };
    });
    expect(p.pulumi(["config", "set", "--secret", "vrrpAuth", "--stack", "longpass"], "nine-char").code).toBe(0);
    const r = pulumi("preview", "--json", "--stack", "longpass");
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("topology.directorPairs.lb.instances.VI_EXT.authentication (secret 'vrrpAuth') must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got a value of 9 byte(s)");
    expect(r.out).not.toContain("nine-char");
    expect(r.out).not.toMatch(/dsas:host:ServiceConfig/);
  });
});
