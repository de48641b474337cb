import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fill } from "../../components/plan/files.ts";
import type { Slice } from "../../components/plan/plan.ts";
import { needsOf, type Hooks } from "../../components/services/service.ts";
import { ssh } from "../../lab/vm.ts";
import { ROOT } from "./example.ts";

export { pidOf, ssh } from "../../lab/vm.ts";

/**
 * Logins sshd accepted so far on a host, from its journal; the counting login
 * itself is the last one. The tests' own shared connection to the host is
 * opened first, so their commands between two counts add no login.
 */
export function logins(host: string): number {
  ssh(host, "true");
  const r = ssh(host, "journalctl -u ssh -o cat --no-pager | grep -c 'Accepted publickey'", undefined, false);
  if (r.status !== 0) throw new Error(`${host}: counting sshd logins: exit ${r.status}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Waits until ok() holds, polling every 250 ms; the seconds it took. */
export async function until(what: string, ok: () => boolean, seconds: number): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > seconds * 1000) throw new Error(`not within ${seconds} s: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return (Date.now() - start) / 1000;
}

/** Runs the lab CLI, lab/lab.ts (up, down, reset, status); its progress goes to stderr. */
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

/**
 * Applies one unit of a slice on a lab host as the provider would, without
 * the engine: the provider writes the command and bundle (its `bundle` mode),
 * they go over SSH. `hooks` replaces the unit's own, e.g. to install files only.
 */
export function applyService(host: string, slice: Slice, service: string, secret: (name: string) => string, hooks?: Hooks) {
  const unit = slice.units.find((u) => u.host === host && u.service.name === service);
  if (!unit) throw new Error(`no ${service} unit for ${host}`);
  const inputs = {
    connection: { user: "root" },
    service,
    files: Object.fromEntries(unit.files.map((f) => [f.path, { mode: f.mode, owner: f.owner, group: f.group, content: fill(f.content, secret) }])),
    needs: needsOf(unit),
    hooks: hooks ?? unit.hooks,
    always: unit.service.always ?? false,
  };
  const b = spawnSync(join(ROOT, ".local/provider/pulumi-resource-dsas"), ["bundle", "apply"], { input: JSON.stringify(inputs), encoding: "utf8" });
  if (b.status !== 0) throw new Error(`pulumi-resource-dsas bundle: ${b.stderr}`);
  const { command, stdin } = JSON.parse(b.stdout) as { command: string; stdin: string };
  return ssh(host, command, stdin);
}

/**
 * A DRBD node's data disk made blank again: whatever DRBD resource is up taken
 * down (by name: the kernel's DRBD 8.4 drbdsetup takes no "all"), the disk zeroed.
 */
export const BLANK_DISK = "umount /dev/drbd0 2>/dev/null; "
  + "for r in $(drbdsetup show 2>/dev/null | sed -n 's/^resource \\([^ ]*\\) {$/\\1/p'); do drbdsetup down \"$r\"; done; "
  + "! grep -q 'cs:' /proc/drbd 2>/dev/null && "
  + "dd if=/dev/zero of=/dev/vdc bs=1M count=$(($(blockdev --getsize64 /dev/vdc) / 1048576)) status=none";
