#!/usr/bin/env node
// The lab stack: lab hosts as a topology sees them (cluster interfaces from
// the inventory, reached over their forwarded sshd on 127.0.0.1 with the lab
// key and pinned host keys), and the topology `npm run lab` deploys.
//   node lab/stack.ts write FILE   writes FILE's dsas:topology, keeping its other keys
//   node lab/stack.ts hosts        the lab hosts to boot for it (its hosts and the client), one line
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { HOSTS, SSH_PORT_BASE } from "./inventory.ts";
import { hostKey } from "./vm.ts";

export const LAB_KEY = join(resolve(import.meta.dirname, ".."), ".local/lab/id_ed25519");
/** The stack config key holding the lab's SSH private key (a secret). */
export const LAB_KEY_CONFIG = "labSshKey";

export function labHost(host: string) {
  return {
    interfaces: Object.fromEntries(Object.entries(HOSTS[host].interfaces).map(([i, n]) => [i, n.address])),
    ssh: {
      address: "127.0.0.1",
      port: SSH_PORT_BASE + Object.keys(HOSTS).indexOf(host),
      privateKey: { secret: LAB_KEY_CONFIG },
      hostKey: hostKey(host),
    },
  };
}

export const labPrivateKey = () => readFileSync(LAB_KEY, "utf8");

/** The scenarios of background.md on lab hosts: an LVS-NAT web pool and an LVS-DR MySQL replica pool behind one director pair, a DRBD pair, and the image cache tier. */
export const LAB_HOSTS = ["lb1", "lb2", "web1", "web2", "db1", "db2", "db3", "nfs1", "nfs2", "cache1", "cache2", "front"];
/** Sends requests through the VIP and is the cache tier's origin; not part of the stack. */
export const LAB_CLIENT = "client";
/** The MySQL replicas' VIP, on the internal segment. */
export const READ_VIP = "192.168.31.20";

export function labTopology() {
  return {
    hosts: Object.fromEntries(LAB_HOSTS.map((h) => [h, labHost(h)])),
    directorPairs: {
      lb: {
        master: "lb1",
        backup: "lb2",
        lvsSyncDaemon: { interface: "eth1", instance: "VI_INT" },
        instances: {
          VI_EXT: { interface: "eth0", virtualRouterId: 31, virtualIps: ["10.10.31.10", "10.10.31.100"], authentication: { secret: "vrrpAuth" }, trackInterfaces: ["eth1"] },
          VI_INT: { interface: "eth1", virtualRouterId: 32, virtualIps: ["192.168.31.10", READ_VIP], authentication: { secret: "vrrpAuth" } },
        },
        syncGroups: { VG_LB: { instances: ["VI_EXT", "VI_INT"] } },
        virtualServers: {
          web: { vip: "10.10.31.100", port: 80, pool: "web", lbAlgo: "wrr", lbKind: "NAT", gateway: "192.168.31.10" },
          mysql: { vip: READ_VIP, port: 3306, pool: "mysql", lbAlgo: "lc", lbKind: "DR" },
        },
      },
    },
    pools: {
      web: { port: 80, realServers: { web1: { weight: 2 }, web2: {} }, checks: [{ type: "HTTP_GET", path: "/", statusCode: 200 }] },
      mysql: { port: 3306, realServers: { db2: {}, db3: {} }, checks: [{ type: "MYSQL_REPLICATION", maxLagSeconds: 30, password: { secret: "mysqlCheckPassword" } }] },
    },
    drbdPairs: {
      nfs: {
        resource: "r0",
        nodes: { nfs1: { disk: "/dev/vdc" }, nfs2: { disk: "/dev/vdc" } },
        sharedSecret: { secret: "drbdSecret" },
        initialSyncSource: "nfs1",
        filesystem: { type: "ext4", create: true },
      },
    },
    cacheTiers: {
      images: { squids: ["cache1", "cache2"], fronts: ["front"], origin: { address: "10.0.1.200", port: 80 }, siblings: "icp" },
    },
  };
}

function write(file: string): void {
  const doc = existsSync(file) ? parse(readFileSync(file, "utf8")) ?? {} : {};
  doc.config = { ...doc.config, "dsas:topology": labTopology() };
  writeFileSync(file, stringify(doc));
}

if (import.meta.main) {
  const [cmd, file] = process.argv.slice(2);
  if (cmd === "write" && file) write(file);
  else if (cmd === "hosts") console.log([...LAB_HOSTS, LAB_CLIENT].join(" "));
  else {
    console.error("usage: node lab/stack.ts write FILE | hosts");
    process.exit(2);
  }
}
