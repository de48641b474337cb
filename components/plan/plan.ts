// Every file every host needs, from a validated topology. Pure: the same
// topology and secrets give byte-identical files.
import type { Topology } from "../model/schema.ts";
import { renderCacheTier } from "./cache.ts";
import { DRAIN_LIST, renderDirectorPair } from "./director.ts";
import { renderDrbdPair } from "./drbd.ts";
import { APPLY, file, LIBEXEC, template, type HostFile, type RenderedStack, type SecretValues } from "./files.ts";
import { renderRealServers } from "./realserver.ts";

/** dsas-apply, which every host gets first. */
export function applyTool(): HostFile {
  return file("dsas", APPLY, template("dsas-apply.sh.hbs", { libexec: LIBEXEC, drainList: DRAIN_LIST }), { mode: "0755" });
}

export function renderStack(topo: Topology, secrets: SecretValues): RenderedStack {
  const byHost: Record<string, HostFile[]> = {};
  const add = (rendered: Record<string, HostFile[]>) => {
    for (const [host, files] of Object.entries(rendered)) (byHost[host] ??= []).push(...files);
  };
  for (const name of Object.keys(topo.directorPairs).sort()) add(renderDirectorPair(topo, name, secrets));
  add(renderRealServers(topo));
  for (const name of Object.keys(topo.drbdPairs).sort()) add(renderDrbdPair(topo, name, secrets));
  for (const name of Object.keys(topo.cacheTiers).sort()) add(renderCacheTier(topo, name));

  for (const files of Object.values(byHost)) files.push(applyTool());

  const out: RenderedStack = {};
  for (const host of Object.keys(byHost).sort()) {
    const files = byHost[host].sort((a, b) => a.path.localeCompare(b.path));
    files.forEach((f, i) => {
      if (i > 0 && files[i - 1].path === f.path) throw new Error(`${host}: two parts of the stack render ${f.path}`);
    });
    out[host] = files;
  }
  return out;
}
