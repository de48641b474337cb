import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, symlinkSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineEnv } from "../helpers/engine.ts";

const root = resolve(import.meta.dirname, "../..");
const pinnedVersion: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dsas.pulumi;

// A throwaway project and file backend: nothing of the user's stacks is touched.
const dir = mkdtempSync(join(tmpdir(), "dsas-engine-"));
const env = engineEnv(join(dir, "backend"), "engine-test");
const pulumi = (...args: string[]) =>
  execFileSync("pulumi", [...args, "--non-interactive"], { cwd: join(dir, "prog"), env, encoding: "utf8" });

describe("the Pulumi engine built for this project", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the pinned version", () => {
    expect(execFileSync("pulumi", ["version"], { env, encoding: "utf8" }).trim()).toBe(`v${pinnedVersion}`);
  });

  it("runs a TypeScript program through up, preview and destroy on a file backend", () => {
    execFileSync("mkdir", ["-p", join(dir, "prog"), join(dir, "backend")]);
    writeFileSync(join(dir, "prog/Pulumi.yaml"),
      "name: engine-probe\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n");
    writeFileSync(join(dir, "prog/package.json"), '{"name":"engine-probe","type":"module"}\n');
    symlinkSync(join(root, "node_modules"), join(dir, "prog/node_modules"));
    writeFileSync(join(dir, "prog/index.ts"), `
import * as pulumi from "@pulumi/pulumi";
class Probe extends pulumi.ComponentResource {
  readonly greeting: pulumi.Output<string>;
  constructor(name: string, args: { who: string }) {
    super("dsas:test:Probe", name, {}, {});
    this.greeting = pulumi.output(\`hello \${args.who}\`);
    this.registerOutputs({ greeting: this.greeting });
  }
}
const cfg = new pulumi.Config();
const probe = new Probe("probe", { who: cfg.require("who") });
export const greeting = probe.greeting;
export const token = cfg.requireSecret("token");
`);
    pulumi("stack", "init", "probe");
    pulumi("config", "set", "who", "lv1");
    pulumi("config", "set", "--secret", "token", "s3cr3t-value");
    const stackFile = readFileSync(join(dir, "prog/Pulumi.probe.yaml"), "utf8");
    expect(stackFile).not.toContain("s3cr3t-value");

    const up = pulumi("up", "--yes");
    expect(up).toMatch(/\+ 2 created/);
    const outputs = JSON.parse(pulumi("stack", "output", "--json"));
    expect(outputs.greeting).toBe("hello lv1");
    expect(outputs.token).toBe("[secret]");
    const state = execFileSync("cat", [join(dir, "backend/.pulumi/stacks/engine-probe/probe.json")], { encoding: "utf8" });
    expect(state).not.toContain("s3cr3t-value");

    const preview = pulumi("preview", "--diff");
    expect(preview).toMatch(/2 unchanged/);
    expect(preview).not.toMatch(/to create|to update|to delete/);

    const destroyed = pulumi("destroy", "--yes");
    expect(destroyed).toMatch(/2 deleted/);
    expect(JSON.parse(pulumi("stack", "export")).deployment.resources ?? []).toHaveLength(0);
  });
});
