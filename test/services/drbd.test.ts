import { describe, expect, it } from "vitest";
import type { Model } from "../../components/model/normalize.ts";
import type { HostFile } from "../../components/plan/files.ts";
import { planDrbdPair } from "../../components/plan/plan.ts";
import { DRBD_TOOL } from "../../components/services/drbd.ts";
import { exampleRaw, filesBy, modelOf } from "../helpers/example.ts";
import { expectGolden } from "../helpers/golden.ts";
import { runOnHost } from "../helpers/sandbox.ts";

const raw = exampleRaw();
const topo = modelOf(raw);
const secrets = (name: string) => `test-${name}-value`;
const renderDrbdPair = (m: Model, pair: string, s: (name: string) => string) => filesBy(planDrbdPair(m.drbdPairs[pair]), s);
const rendered = renderDrbdPair(topo, "nfs", secrets);
const nodes = ["nfs1", "nfs2"];
const RES = "/etc/drbd.d/r0.res";

// drbdadm 9.22 learns the kernel's DRBD version from /proc/drbd or modinfo,
// which the sandbox lacks (it would print "modinfo: not found"). The override
// stands in for the lab's 8.4.11 module, on which drbdadm hands the config to
// drbdadm-84; with a 9 version it uses its own, stricter parser.
const DRBDADM_84 = `/usr/lib/drbd/drbdadm-84 -c ${RES} dump r0`;
const ON_LAB_KERNEL = `DRBD_DRIVER_VERSION_OVERRIDE=8.4.11 drbdadm -c ${RES} dump r0`;
const DRBDADM_9 = `DRBD_DRIVER_VERSION_OVERRIDE=9.2.0 drbdadm -c ${RES} dump r0`;

const dump = (host: string, files: readonly HostFile[], command: string) =>
  runOnHost({ hostname: host, interfaces: topo.hosts[host].interfaces, files }, command);

/** drbdadm exits 0 after warnings such as "IP ... not found on this host", so the output must be the dump and nothing else. */
function expectOnlyTheDump(r: { code: number; output: string }, host: string): string {
  expect(r.code, r.output).toBe(0);
  expect(r.output).toMatch(new RegExp(`^# resource r0 on ${host}: not ignored, not stacked\\n# defined at ${RES}:\\d+\\nresource r0 \\{\\n[^]*\\n\\}$`));
  expect(r.output).not.toMatch(/warn|error|not found/i);
  return r.output;
}

const line = (text: string) => new RegExp(`^\\s+${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+")};$`, "m");

describe.each(nodes)("r0.res as drbdadm reads it on %s", (host) => {
  it.each([["drbdadm-84", DRBDADM_84], ["drbdadm's 9 parser", DRBDADM_9]])("%s dumps it without complaint", (_, command) => {
    const out = expectOnlyTheDump(dump(host, rendered[host], command), host);
    expect(out).toMatch(line("protocol C"));
    expect(out).toMatch(line("address ipv4 192.168.31.41:7788"));
    expect(out).toMatch(line("address ipv4 192.168.31.42:7788"));
    for (const n of [0, 1, 2]) expect(out).toMatch(line(`after-sb-${n}pri disconnect`));
    expect(out).toMatch(line("cram-hmac-alg sha256"));
    expect(out).toMatch(line("shared-secret test-drbdSecret-value"));
    expect(out).toMatch(line('split-brain "/usr/lib/drbd/notify-split-brain.sh root"'));
  });

  it("goes to drbdadm-84 when the kernel's DRBD is 8.4.11, as in the lab", () => {
    const lab = expectOnlyTheDump(dump(host, rendered[host], ON_LAB_KERNEL), host);
    expect(lab).toBe(dump(host, rendered[host], DRBDADM_84).output);
  });
});

describe("the optional parts of r0.res", () => {
  const variant = exampleRaw() as { drbdPairs: Record<string, Record<string, unknown>> };
  Object.assign(variant.drbdPairs.nfs, {
    resyncRate: "100M",
    metaDisk: "/dev/sdc1",
    afterSplitBrain: { zeroPrimaries: "discard-zero-changes", onePrimary: "discard-secondary", twoPrimaries: "disconnect" },
    extraNetConfig: ["max-buffers 8000;"],
  });
  const files = renderDrbdPair(modelOf(variant), "nfs", secrets).nfs1;

  it.each([["drbdadm-84", DRBDADM_84], ["drbdadm's 9 parser", DRBDADM_9]])("%s reads them", (_, command) => {
    const out = expectOnlyTheDump(dump("nfs1", files, command), "nfs1");
    for (const l of ["resync-rate 100M", "meta-disk /dev/sdc1", "after-sb-0pri discard-zero-changes", "after-sb-1pri discard-secondary", "max-buffers 8000"]) {
      expect(out).toMatch(line(l));
    }
  });
});

describe("the rendered files", () => {
  it("are one secret 0600 resource file per node, byte-identical on both, and the dsas-drbd tool, the same on every render", () => {
    for (const host of nodes) {
      expect(rendered[host]).toEqual([
        expect.objectContaining({ service: "drbd", path: RES, mode: "0600", owner: "root", secret: true }),
        expect.objectContaining({ service: "drbd", path: DRBD_TOOL, mode: "0755", secret: false }),
      ]);
    }
    expect(rendered.nfs1[0].content).toBe(rendered.nfs2[0].content);
    expect(renderDrbdPair(topo, "nfs", secrets)).toEqual(rendered);
  });

  it.each(nodes)("match the golden files of %s", (host) => {
    for (const f of rendered[host]) expectGolden("example", host, f);
  });
});
