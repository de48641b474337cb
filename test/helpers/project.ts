import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { engineEnv } from "./engine.ts";
import { ROOT } from "./example.ts";

let tarball: string | undefined;

/** dsas-kit packed as a user gets it (`npm pack`: compiled JavaScript, types, templates, libexec), once per test file. */
export function packed(): string {
  if (tarball) return tarball;
  const dir = mkdtempSync(join(tmpdir(), "dsas-pack-"));
  const r = spawnSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm pack: ${r.stdout}${r.stderr}`);
  return tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);
}

/**
 * A Pulumi program in a throwaway folder with its own file backend, run by the
 * real engine: the dsas program of this checkout, or a project under examples/
 * (`program`) that installs dsas-kit from its packed tarball, as a user would.
 */
export function dsasProject(prefix: string, program?: string) {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const project = join(dir, "project");
  mkdirSync(project);
  mkdirSync(join(dir, "backend"));
  if (program) {
    for (const f of ["Pulumi.yaml", "index.ts"]) copyFileSync(join(ROOT, program, f), join(project, f));
    const pkg = JSON.parse(readFileSync(join(ROOT, program, "package.json"), "utf8"));
    pkg.dependencies["dsas-kit"] = `file:${packed()}`;
    writeFileSync(join(project, "package.json"), JSON.stringify(pkg, null, 2));
    const r = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npm install in ${project}: ${r.stdout}${r.stderr}`);
  } else {
    for (const f of ["Pulumi.yaml", "index.ts", "components", "templates", "package.json", "node_modules"]) symlinkSync(join(ROOT, f), join(project, f));
  }
  const env = engineEnv(join(dir, "backend"), "dsas-lab-only");
  const pulumi = (args: string[], input?: string) => {
    const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd: project, env: { ...env, NO_COLOR: "1" }, encoding: "utf8", input });
    return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
  };
  const stackFile = (stack: string) => join(project, `Pulumi.${stack}.yaml`);
  const stacks = new Set<string>();
  return {
    project,
    env,
    pulumi,
    /** Creates the stack with this config (secrets set with `pulumi config set --secret`). */
    init(stack: string, config: Record<string, unknown>, secrets: Record<string, string> = {}) {
      writeFileSync(stackFile(stack), stringify({ config }));
      const init = pulumi(["stack", "init", stack]);
      if (init.code !== 0) throw new Error(init.out);
      stacks.add(stack);
      for (const [key, value] of Object.entries(secrets)) {
        const r = pulumi(["config", "set", "--secret", key, "--stack", stack], value);
        if (r.code !== 0) throw new Error(r.out);
      }
    },
    /** Replaces the stack's topology, keeping its secrets. */
    setTopology(stack: string, topology: unknown) {
      const doc = parse(readFileSync(stackFile(stack), "utf8"));
      doc.config["dsas:topology"] = topology;
      writeFileSync(stackFile(stack), stringify(doc));
    },
    /** The stacks created with init. */
    stacks: () => [...stacks],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
