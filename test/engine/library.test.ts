import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { engineEnv } from "../helpers/engine.ts";
import { ROOT } from "../helpers/example.ts";

// examples/director-pair: the components imported as a library by another
// Pulumi project, previewed by the real engine.
const dir = mkdtempSync(join(tmpdir(), "dsas-library-"));
const project = join(dir, "project");
mkdirSync(project);
mkdirSync(join(dir, "backend"));
for (const f of ["Pulumi.yaml", "index.ts"]) symlinkSync(join(ROOT, "examples/director-pair", f), join(project, f));
for (const f of ["package.json", "node_modules"]) symlinkSync(join(ROOT, f), join(project, f));
const env = engineEnv(join(dir, "backend"), "dsas-lab-only");
const pulumi = (...args: string[]) => {
  const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8", input: "" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe("a DirectorPair used on its own from another program", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("previews the two hosts and the pair, backup first, and nothing else", () => {
    const host = (eth0: string) => ({ interfaces: { eth0 }, ssh: { insecureFirstContact: true } });
    writeFileSync(join(project, "Pulumi.edge.yaml"), stringify({
      config: {
        "dsas-director-pair:pair": "edge",
        "dsas-director-pair:topology": {
          hosts: { edge1: host("10.20.0.11/24"), edge2: host("10.20.0.12/24") },
          directorPairs: {
            edge: {
              master: "edge1", backup: "edge2",
              instances: { VI_1: { interface: "eth0", virtualRouterId: 51, virtualIps: ["10.20.0.10"], authentication: { secret: "vrrpAuth" } } },
            },
          },
        },
      },
    }));
    expect(pulumi("stack", "init", "edge").code).toBe(0);
    const set = spawnSync("pulumi", ["config", "set", "--secret", "vrrpAuth", "edgePw1", "--stack", "edge", "--non-interactive"], { cwd: project, env, encoding: "utf8" });
    expect(set.status, set.stderr).toBe(0);

    const r = pulumi("preview", "--json", "--stack", "edge");
    expect(r.code, r.out).toBe(0);
    const steps: { op: string; urn: string }[] = JSON.parse(r.out).steps;
    // urn:pulumi:STACK::PROJECT::PARENT-TYPE$TYPE::NAME
    const names = steps.filter((s) => s.op === "create").map((s) => `${s.urn.split("::")[2].split("$").at(-1)} ${s.urn.split("::")[3]}`);
    expect(names).toEqual(expect.arrayContaining([
      "dsas:host:Host edge1", "dsas:host:Host edge2", "dsas:director:DirectorPair edge",
      "dsas:host:ServiceConfig edge2-keepalived", "dsas:host:ServiceConfig edge1-keepalived",
    ]));
    expect(names.filter((n) => n.startsWith("dsas:stack:Topology"))).toEqual([]);
    expect(names.findIndex((n) => n.endsWith("edge2-keepalived"))).toBeLessThan(names.findIndex((n) => n.endsWith("edge1-keepalived")));
    expect(r.out).not.toContain("edgePw1");
  });
});
