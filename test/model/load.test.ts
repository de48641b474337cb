import { describe, expect, it } from "vitest";
import { loadStack, type SecretEntry } from "../../components/model/load.ts";
import { TopologyError } from "../../components/model/validate.ts";
import { exampleRaw } from "../helpers/example.ts";

const GOOD = { vrrpAuth: "dsas31Pw", drbdSecret: "example-drbd-shared-secret", mysqlCheckPassword: "example-check-pw", clusterKey: "k".repeat(172) };

/** The example stack with its secrets' values known (as in a Pulumi program) and every host pinned or not. */
function source(values: Record<string, string | undefined> = {}, opts: { secure?: boolean; pinned?: boolean } = {}) {
  const topology = exampleRaw();
  if (opts.pinned !== false) for (const h of Object.values<any>(topology.hosts)) h.ssh = { hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHpin" };
  const secrets = new Map<string, SecretEntry>();
  for (const [k, v] of Object.entries({ ...GOOD, ...values })) if (v !== undefined) secrets.set(k, { secure: opts.secure ?? true, value: v });
  return { namespace: "dsas", topology, secrets };
}

function problems(src: ReturnType<typeof source>, mode: "review" | "deploy" = "deploy"): readonly string[] {
  try {
    loadStack(src, mode);
  } catch (e) {
    if (e instanceof TopologyError) return e.problems;
    throw e;
  }
  return [];
}

const VRRP = "topology.directorPairs.lb.instances.VI_EXT.authentication (secret 'vrrpAuth')";
const DRBD = "topology.drbdPairs.nfs.sharedSecret (secret 'drbdSecret')";
// The DRBD pair and both storage pairs share the secret: every path is named.
const DRBD_USERS = ["topology.drbdPairs.nfs", "topology.storagePairs.files", "topology.storagePairs.db"];
const COROSYNC = (pair: string) => `topology.storagePairs.${pair}.clusterKey (secret 'clusterKey')`;
const MYSQL = "topology.pools.mysql.checks[0].password (secret 'mysqlCheckPassword')";

describe("loading a stack", () => {
  it("accepts the example with its secrets and pinned hosts, and plans it", () => {
    const s = loadStack(source(), "deploy");
    expect(Object.keys(s.plan.directorPairs)).toEqual(["ilb", "lb", "slb"]);
    expect(s.secrets).toEqual(GOOD);
    expect(s.unpinnedHosts).toEqual([]);
  });

  it.each([
    ["a", undefined],
    ["8chars!!", undefined],
    ["9charsxxx", `${VRRP} must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got a value of 9 byte(s)`],
    ["", `${VRRP} must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got a value of 0 byte(s)`],
    ["a b", `${VRRP} must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got a value of 3 byte(s)`],
    ["pässwd", `${VRRP} must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got a value of 7 byte(s)`],
  ])("checks the VRRP password %j by value", (value, message) => {
    // lb's two instances share the secret: both paths are named.
    const found = problems(source({ vrrpAuth: value }));
    if (message === undefined) expect(found).toEqual([]);
    else expect(found).toEqual([message, message.replace("VI_EXT", "VI_INT"), message.replace("lb.instances.VI_EXT", "slb.instances.VI_STATIC")]);
  });

  it.each([
    ["x".repeat(63), undefined],
    ["x".repeat(64), `${DRBD} must be 1..63 bytes for a DRBD shared-secret, got a value of 64 byte(s)`],
    ["", `${DRBD} must be 1..63 bytes for a DRBD shared-secret, got a value of 0 byte(s)`],
    ['pass"word', `${DRBD} must not contain a double quote, backslash or line break, which a DRBD shared-secret cannot hold, got a value of 9 byte(s)`],
    ["pass\\word", `${DRBD} must not contain a double quote, backslash or line break, which a DRBD shared-secret cannot hold, got a value of 9 byte(s)`],
    ["pass\nword", `${DRBD} must not contain a double quote, backslash or line break, which a DRBD shared-secret cannot hold, got a value of 9 byte(s) with a line break`],
  ])("checks the DRBD shared secret %j by value, never showing it", (value, message) => {
    expect(problems(source({ drbdSecret: value }))).toEqual(message ? DRBD_USERS.map((u) => message.replace("topology.drbdPairs.nfs", u)) : []);
  });

  it.each([
    ["k".repeat(128), undefined],
    ["k".repeat(127), "must be 128..4096 bytes without NUL for a Corosync key (openssl rand -base64 128), got a value of 127 byte(s)"],
    ["k".repeat(4097), "must be 128..4096 bytes without NUL for a Corosync key (openssl rand -base64 128), got a value of 4097 byte(s)"],
  ])("checks the Corosync key of %#: by value", (value, message) => {
    expect(problems(source({ clusterKey: value }))).toEqual(message ? ["files", "db"].map((p) => `${COROSYNC(p)} ${message}`) : []);
  });

  it.each([
    ['quote"and\\backslash', undefined],
    ["two\nlines", `${MYSQL} must be one line, which a MySQL option file can hold, got a value of 9 byte(s) with a line break`],
    ["", `${MYSQL} must not be empty, got a value of 0 byte(s)`],
  ])("checks the MySQL check's password %j by value", (value, message) => {
    expect(problems(source({ mysqlCheckPassword: value }))).toEqual(message ? [message] : []);
  });

  it("names a secret the stack lacks", () => {
    expect(problems(source({ drbdSecret: undefined }))).toEqual(DRBD_USERS.map((u) =>
      `${u}.sharedSecret.secret names 'drbdSecret', but the stack has no config key 'dsas:drbdSecret' (pulumi config set --secret drbdSecret ...)`));
  });

  it("refuses secrets stored in clear for deployment, and only reports them for review", () => {
    const all = ["clusterKey", "drbdSecret", "mysqlCheckPassword", "vrrpAuth"];
    expect(problems(source({}, { secure: false }))).toEqual(all.map((n) =>
      `dsas:${n} is referenced as a secret but stored in clear; set it with pulumi config set --secret ${n} ...`));
    expect(loadStack(source({}, { secure: false }), "review").plainSecrets).toEqual(all);
  });

  it("refuses hosts with work whose key is not pinned for deployment, and lists them for review", () => {
    const unpinned = ["cache1", "cache2", "db1", "db2", "db3", "db4", "ilv1", "ilv2", "img1", "lv1", "lv2", "nas1", "nas2", "nfs1", "nfs2", "slv1", "slv2", "smtp1", "smtp2", "web1", "web2"];
    expect(problems(source({}, { pinned: false }))).toEqual(unpinned.map((h) =>
      `topology.hosts.${h}.ssh.hostKey must pin the host's public key (ssh-keyscan -t ed25519 ADDRESS), or set insecureFirstContact: true for a lab's first contact`));
    expect(loadStack(source({}, { pinned: false }), "review").unpinnedHosts).toEqual(unpinned);
  });

  it("reports every problem at once", () => {
    expect(problems(source({ vrrpAuth: "far too long", drbdSecret: undefined }, { pinned: false }))).toHaveLength(3 + 3 + 21);
  });
});
