// What a service is: the unit dsas-apply puts in place on one host. Each
// service's own file (beside this one) says what it installs, how its files
// are checked, applied and removed, where it goes on a host and how the hosts
// of one component take a change; dsas-apply runs those hooks as given.
import type { HostFile } from "../plan/files.ts";

/**
 * Shell command lines dsas-apply runs (provider/libexec/README.md): `check` with the
 * new files laid over the live ones, `prepare` before they are swapped in,
 * `apply` after, `verify` once applied (the live state as the stack predicts it; a
 * failure puts the previous files back), `remove` when the service leaves the host. `drift` (a refresh)
 * prints what differs on the host beyond the files, one line each ("runtime: "
 * for expected runtime state); after a refresh found drift it runs again after
 * `apply` with DSAS_REPAIR=1, to put back what applying the files does not.
 */
export interface Hooks {
  readonly check?: string;
  readonly prepare?: string;
  readonly apply?: string;
  readonly verify?: string;
  readonly remove?: string;
  readonly drift?: string;
}

/**
 * How the hosts of one component take a change of this service:
 * - "one host at a time", in the component's order (a director pair's backup first),
 *   so a bad change stops at the first host;
 * - "all hosts at once", for what the hosts need together (both DRBD nodes up);
 * - "after the others": once every other unit of the component is done.
 */
export type Rollout = "one host at a time" | "all hosts at once" | "after the others";

export interface Service {
  readonly name: string;
  /** Where it goes on a host: lower first, so kernel settings come before the daemons that use them. */
  readonly phase: number;
  /** COMMAND:PACKAGE that its hooks run, installed where the command is missing. */
  readonly needs: readonly string[];
  readonly rollout: Rollout;
  /** Apply even when no file changed (a one-time step such as a DRBD promotion). */
  readonly always?: boolean;
}

/** One service on one host, as the plan has it. */
export interface Unit {
  /** `${host}/${service}`, unique within the plan. */
  readonly key: string;
  readonly host: string;
  readonly service: Service;
  readonly hooks: Hooks;
  readonly files: readonly HostFile[];
  /** Keys of the units of the same component that must be applied first. */
  readonly after: readonly string[];
  /** A director's: when `file` changes, the VIPs move; first wait until the receiving director has the giving one's connections. */
  readonly handover?: Handover;
}

export interface Handover {
  /** The other director. */
  readonly peer: string;
  readonly file: string;
  readonly waitSeconds: number;
  /** When the file changes, the VIPs leave this director (it goes into maintenance), else they come to it. */
  readonly gives: boolean;
}

export type UnitDraft = Omit<Unit, "key" | "after">;

/** What a unit's hooks need installed: the service's own needs and those of its files. */
export function needsOf(unit: Pick<Unit, "service" | "files">): string[] {
  return [...new Set([...unit.service.needs, ...unit.files.flatMap((f) => f.needs ?? [])])].sort();
}
