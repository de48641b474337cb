import { describe, expect, it } from "vitest";
import { planStoragePair } from "../../components/plan/plan.ts";
import { CLUSTER_DIR } from "../../components/services/pacemaker.ts";
import { exampleModel, filesBy, testSecrets, type ServiceFile } from "../helpers/example.ts";
import { runOnHost } from "../helpers/sandbox.ts";

// The storage pairs' cluster files as corosync and Pacemaker read them on a
// node: each unit's own check hook (corosync -t, crm_verify on the CIB that
// dsas-pair composes) on the node's files, as dsas-apply runs it before a change.
const model = exampleModel();
// Corosync wants a key of 1024 bits or more (model/secrets.ts refuses a shorter one).
const secrets = (name: string) => (name === "clusterKey" ? "k".repeat(172) : testSecrets(name));
const pairs = Object.keys(model.storagePairs);
const units = pairs.flatMap((pair) => {
  const slice = planStoragePair(model.storagePairs[pair]);
  const files = filesBy(slice, secrets);
  return slice.units.filter((u) => ["cluster", "pacemaker"].includes(u.service.name))
    .map((u) => ({ pair, host: u.host, service: u.service.name, check: u.hooks.check!, files: files[u.host] }));
});

const onNode = (host: string, files: readonly ServiceFile[], command: string) =>
  runOnHost({ hostname: host, interfaces: model.hosts[host].interfaces, files }, command);

describe("the storage pairs' cluster files, checked by corosync and Pacemaker", () => {
  it("has the example's two pairs, both nodes each, a corosync and a Pacemaker check on each", () => {
    expect(pairs.sort()).toEqual(["db", "files"]);
    expect(units.map((u) => `${u.pair} ${u.host} ${u.service}`).sort()).toEqual([
      "db db1 cluster", "db db1 pacemaker", "db db4 cluster", "db db4 pacemaker",
      "files nas1 cluster", "files nas1 pacemaker", "files nas2 cluster", "files nas2 pacemaker",
    ]);
  });

  it.each(units)("$pair on $host: $service's check ($check) passes with no complaint", ({ host, check, files }) => {
    expect(onNode(host, files, check)).toEqual({ code: 0, output: "" });
  });

  it("fails the checks on files the daemons refuse", () => {
    const { host, files } = units.find((u) => u.service === "cluster")!;
    const key = onNode(host, files, "printf short >/etc/corosync/authkey && corosync -t");
    expect(key.code).not.toBe(0);
    const pacemaker = units.find((u) => u.service === "pacemaker")!;
    const cib = onNode(pacemaker.host, pacemaker.files,
      `sed -i 's/ class="ocf"/ class="nosuch"/' ${CLUSTER_DIR}/resources.xml && ${pacemaker.check}`);
    expect(cib.code).toBe(1);
    expect(cib.output).toContain("config not valid");
  });
});
