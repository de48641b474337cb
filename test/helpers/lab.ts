import { spawnSync } from "node:child_process";
import { ssh } from "../../lab/lab.ts";
import { ROOT } from "./example.ts";

export { logins, until } from "../../lab/lab.ts";

/** Runs lab/lab.ts (up, down, reset, status); its progress goes to stderr. */
export function lab(...args: string[]): string {
  const r = spawnSync(process.execPath, [`${ROOT}/lab/lab.ts`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`lab ${args.join(" ")}: exit ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** A command on a lab host that must succeed; its stdout. */
export function run(host: string, command: string, input?: string): string {
  const r = ssh(host, command, input);
  if (r.status !== 0) throw new Error(`${host}: ${command}: exit ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
