// The lab's hosts and the private L2 segments that join them. Each segment is
// a qemu multicast socket on 127.0.0.1: the VMs share it, this machine takes
// no address on it.

export interface Segment {
  readonly subnet: string;
  /** UDP port of the segment's multicast group 230.0.0.1 on loopback. */
  readonly port: number;
}

export const SEGMENTS = {
  external: { subnet: "10.10.31.0/24", port: 41031 },
  internal: { subnet: "192.168.31.0/24", port: 41168 },
  cache: { subnet: "10.0.1.0/24", port: 41001 },
} as const satisfies Record<string, Segment>;

export type SegmentName = keyof typeof SEGMENTS;

export interface LabHost {
  /** Interface name -> segment and address/prefix, in the guest's NIC order. */
  readonly interfaces: Record<string, { segment: SegmentName; address: string }>;
  /** Size of an extra blank disk (/dev/vdc), for DRBD. */
  readonly dataDiskMB?: number;
  readonly memoryMB?: number;
}

export const HOSTS: Record<string, LabHost> = {
  lb1: { interfaces: { eth0: { segment: "external", address: "10.10.31.11/24" }, eth1: { segment: "internal", address: "192.168.31.11/24" } } },
  lb2: { interfaces: { eth0: { segment: "external", address: "10.10.31.12/24" }, eth1: { segment: "internal", address: "192.168.31.12/24" } } },
  web1: { interfaces: { eth0: { segment: "internal", address: "192.168.31.101/24" } } },
  web2: { interfaces: { eth0: { segment: "internal", address: "192.168.31.102/24" } } },
  db1: { interfaces: { eth0: { segment: "internal", address: "192.168.31.121/24" } }, dataDiskMB: 256, memoryMB: 1024 },
  db2: { interfaces: { eth0: { segment: "internal", address: "192.168.31.122/24" } } },
  db3: { interfaces: { eth0: { segment: "internal", address: "192.168.31.123/24" } } },
  nfs1: { interfaces: { eth0: { segment: "internal", address: "192.168.31.41/24" } }, dataDiskMB: 64, memoryMB: 768 },
  nfs2: { interfaces: { eth0: { segment: "internal", address: "192.168.31.42/24" } }, dataDiskMB: 64, memoryMB: 768 },
  cache1: { interfaces: { eth0: { segment: "cache", address: "10.0.1.1/24" } } },
  cache2: { interfaces: { eth0: { segment: "cache", address: "10.0.1.2/24" } } },
  front: { interfaces: { eth0: { segment: "cache", address: "10.0.1.10/24" } } },
  client: { interfaces: { eth0: { segment: "external", address: "10.10.31.200/24" }, eth1: { segment: "cache", address: "10.0.1.200/24" } } },
  // A second director pair, for a second stack beside the first (static ipvsadm rules).
  slb1: { interfaces: { eth0: { segment: "internal", address: "192.168.31.15/24" } } },
  slb2: { interfaces: { eth0: { segment: "internal", address: "192.168.31.16/24" } } },
  // The MariaDB primary's second node: with db1, an active/backup pair on DRBD.
  db4: { interfaces: { eth0: { segment: "internal", address: "192.168.31.124/24" } }, dataDiskMB: 256, memoryMB: 1024 },
};

/** Each host's SSH port on 127.0.0.1. */
export const SSH_PORT_BASE = 22200;
