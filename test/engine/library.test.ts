import { afterAll, describe, expect, it } from "vitest";
import { dsasProject } from "../helpers/project.ts";

// examples/director-pair: the components imported by package name from the
// packed dsas-kit, installed into another Pulumi project, previewed by the real engine.
const p = dsasProject("dsas-library", "examples/director-pair");
const pulumi = (...args: string[]) => p.pulumi(args, "");

describe("a DirectorPair used on its own from another program that installed the package", () => {
  afterAll(() => p.remove());

  it("previews the pair's services on its two hosts, backup first, and nothing else", () => {
    const host = (eth0: string) => ({ interfaces: { eth0 }, ssh: { insecureFirstContact: true } });
    p.init("edge", {
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
    }, { "dsas-director-pair:vrrpAuth": "edgePw1" });

    const r = pulumi("preview", "--json", "--stack", "edge");
    expect(r.code, r.out).toBe(0);
    const steps: { op: string; urn: string }[] = JSON.parse(r.out).steps;
    // urn:pulumi:STACK::PROJECT::PARENT-TYPE$TYPE::NAME
    const names = steps.filter((s) => s.op === "create").map((s) => `${s.urn.split("::")[2].split("$").at(-1)} ${s.urn.split("::")[3]}`);
    expect(names.filter((n) => n.startsWith("dsas:")).sort()).toEqual([
      "dsas:director:DirectorPair edge",
      "dsas:host:ServiceConfig edge-edge1-director", "dsas:host:ServiceConfig edge-edge1-keepalived",
      "dsas:host:ServiceConfig edge-edge2-director", "dsas:host:ServiceConfig edge-edge2-keepalived",
    ]);
    expect(names.findIndex((n) => n.endsWith("edge2-keepalived"))).toBeLessThan(names.findIndex((n) => n.endsWith("edge1-director")));
    expect(r.out).not.toContain("edgePw1");
  });
});
