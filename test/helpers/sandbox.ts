// Runs a command as if on a rendered host: in new mount, network and UTS
// namespaces, with the host's name, its interfaces (veth) and addresses, and
// its rendered files laid over the real /etc and /usr via overlayfs. The real
// daemons' own checkers then see exactly what an installed host would.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { HostFile } from "../../components/plan/files.ts";

export interface SandboxHost {
  readonly hostname: string;
  readonly interfaces: Record<string, string>;
  readonly files: readonly HostFile[];
}

export interface Result {
  readonly code: number;
  readonly output: string;
}

const OVERLAID = ["/etc", "/usr", "/var"];

export function runOnHost(host: SandboxHost, command: string): Result {
  const dir = mkdtempSync(join(tmpdir(), "dsas-host-"));
  try {
    for (const f of host.files) {
      const top = OVERLAID.find((t) => f.path.startsWith(`${t}/`));
      if (!top) throw new Error(`${f.path} is outside ${OVERLAID.join(", ")}`);
      const target = join(dir, "upper", top, f.path.slice(top.length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, f.content);
      chmodSync(target, parseInt(f.mode, 8));
    }
    const chowns = host.files.map((f) => {
      const top = OVERLAID.find((t) => f.path.startsWith(`${t}/`))!;
      return `chown ${f.owner}:${f.group} ${JSON.stringify(join(dir, "upper", top, f.path.slice(top.length)))}`;
    });
    const links = Object.entries(host.interfaces).map(([name, cidr], i) =>
      `ip link add ${name} type veth peer name dsasp${i} && ip link set ${name} up && ip link set dsasp${i} up && ip addr add ${cidr} dev ${name}`);
    const mounts = OVERLAID.map((top) => {
      const u = join(dir, "upper", top), w = join(dir, "work", top);
      return `mkdir -p ${u} ${w} && mount -t overlay overlay -o lowerdir=${top},upperdir=${u},workdir=${w} ${top}`;
    });
    const script = [
      "set -e",
      ...chowns,
      `hostname ${host.hostname}`,
      "ip link set lo up",
      ...links,
      ...mounts,
      "set +e",
      command,
    ].join("\n");
    const r = spawnSync("unshare", ["--mount", "--net", "--uts", "--fork", "sh", "-c", script], { encoding: "utf8", timeout: 60_000 });
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
