// The stack's topology as operators describe it. Every field carries its
// description and default here, so the reference docs come from this one place.
import { z } from "zod";
import { lines, name, pattern, text } from "./text.ts";

const int = (min: number, max: number) => {
  const range = `must be ${min}..${max}`;
  return z.number({ error: `must be a whole number ${min}..${max}` }).int(`must be a whole number ${min}..${max}`).min(min, range).max(max, range);
};
const seconds = (min: number, max: number) => {
  const range = `must be ${min}..${max} seconds`;
  return z.number({ error: `must be a number of seconds ${min}..${max}` }).min(min, range).max(max, range);
};
// Each string says where its value is written (model/text.ts), which decides what it may hold.
const ipv4 = text(["ipv4"]);
const cidr = text(["cidr"]);
const port = int(1, 65535);
const command = text(["keepalivedCommand"]);
const ifname = name("interface", "interfaceName");
const scriptPath = text(["filePath", "keepalivedString"]);
const drbdPath = text(["filePath", "drbdWord"]);
const extraConfig = (dialect: "keepalived" | "nginx" | "squid" | "drbd") => lines(dialect).default([])
  .describe("Lines added verbatim at the end of this block, for options the model does not cover yet.");

/** What a secret is used for, which decides what its value may hold (model/secrets.ts). */
export type SecretKind = "vrrpPassword" | "drbdSharedSecret" | "mysqlPassword" | "sshPrivateKey" | "corosyncKey";

/** A reference to a secret config key; the parsed value also says what the secret is for. */
export const secretRef = (kind: SecretKind) => z.strictObject({
  secret: name("config key").describe("Name of a secret stack config key (`pulumi config set --secret NAME ...`)."),
}).transform((r) => ({ secret: r.secret, kind }))
  .describe("A reference to a Pulumi secret in the stack config; the value never appears in the topology.");
export type SecretRef = z.infer<ReturnType<typeof secretRef>>;

export const sshConnection = z.strictObject({
  address: text(["hostName"]).optional().describe("Address sshd listens on. @default the host's first interface address"),
  port: port.default(22).describe("sshd port."),
  user: text(["userName"]).default("root").describe("Login user; must be root or have passwordless sudo."),
  privateKey: secretRef("sshPrivateKey").optional().describe("Private key for the login. @default - the SSH agent"),
  hostKey: text([], pattern("SSH host key", /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+$/, "must be one public host key line such as 'ssh-ed25519 AAAA...'"))
    .optional().describe("The host's pinned public host key; a mismatch fails before any command runs."),
  insecureFirstContact: z.boolean().default(false)
    .describe("Accept any host key when hostKey is not pinned. Only for a first contact in a lab."),
});

export const host = z.strictObject({
  interfaces: z.record(ifname, cidr).refine((r) => Object.keys(r).length > 0, "must name at least one interface")
    .describe("Interface name to address/prefix, e.g. `eth0: 10.10.31.11/24`. The prefix defines the segment."),
  ssh: sshConnection.prefault({}).describe("How dsas-kit reaches the host."),
});

const vrrpScript = z.strictObject({
  command: command.describe("Command keepalived runs; exit 0 means healthy."),
  interval: seconds(1, 3600).default(2).describe("Seconds between runs."),
  timeout: seconds(1, 3600).optional().describe("Seconds before a run counts as failed. @default - the interval"),
  weight: int(-253, 253).default(0).describe("Priority change while failing (negative) or succeeding (positive); 0 puts the instance in FAULT."),
  fall: int(1, 255).default(2).describe("Failures before the script counts as down."),
  rise: int(1, 255).default(2).describe("Successes before the script counts as up."),
});

/** The track file keepalived.conf always has: dsas-kit's maintenance, which a stack's own track files cannot be named. */
export const MAINTENANCE_TRACK = "dsas_maintenance";

const trackFile = z.strictObject({
  file: scriptPath.describe("File holding a number that another program (a deploy tool, a monitoring agent) writes; keepalived reads it each time it changes."),
  weight: int(-254, 254).default(0)
    .describe("0: any value but 0 in the file puts the instances tracking it in FAULT. Else the value times the weight is added to their priority (below -253 faults them)."),
  initValue: int(-2147483647, 2147483647).optional()
    .describe("init_file: written to the file when keepalived starts and it does not exist. @default - none: a missing file reads as 0"),
});

const trackProcess = z.strictObject({
  process: text(["keepalivedString"]).describe("Process name as /proc/PID/comm has it (at most 15 characters), or with parameters or fullCommand the command as its first word."),
  parameters: z.array(text(["keepalivedString"])).default([]).describe("Its arguments, each matched exactly (see paramMatch)."),
  paramMatch: z.enum(["exact", "partial", "initial"]).default("exact")
    .describe("exact: the arguments are these and no more; partial: these first ones match; initial: as partial, the last one may be longer."),
  fullCommand: z.boolean().default(false).describe("Match the whole command line (/proc/PID/cmdline) instead of the process name."),
  weight: int(-254, 254).default(0).describe("0: fewer than quorum processes puts the instances tracking it in FAULT; else the priority change while too few (negative) or enough (positive) run."),
  quorum: int(1, 65535).default(1).describe("Matching processes needed for an OK status."),
  quorumMax: int(0, 65535).optional().describe("More matching processes than this is a failure too. @default - no maximum"),
  delay: seconds(0, 3600).optional().describe("Seconds a change must last before it counts (fork_delay and terminate_delay), so a restart does not move the VIPs. @default - none"),
});

const notify = z.strictObject({
  master: scriptPath.optional().describe("Run on becoming master."),
  backup: scriptPath.optional().describe("Run on becoming backup."),
  fault: scriptPath.optional().describe("Run on entering fault."),
  stop: scriptPath.optional().describe("Run when keepalived stops the instance."),
  any: scriptPath.optional().describe("Run on every transition with TYPE NAME STATE PRIORITY arguments (keepalived `notify`)."),
}).describe("Notify scripts; each must exist on the directors, owned by root and not writable by others.");

const garp = z.strictObject({
  masterDelay: int(0, 3600).default(5).describe("Seconds after becoming master before the second burst of gratuitous ARPs."),
  masterRepeat: int(1, 255).default(5).describe("Gratuitous ARPs per burst."),
  masterRefresh: int(0, 3600).default(0).describe("Repeat gratuitous ARPs every N seconds while master (0 = off)."),
});

export const vrrpInstance = z.strictObject({
  interface: ifname.describe("Interface that carries the adverts and the VIPs; must exist on both directors."),
  virtualRouterId: int(1, 255).describe("VRID, unique per interface segment."),
  priority: z.strictObject({
    master: int(1, 254).default(150).describe("Priority on the intended master."),
    backup: int(1, 254).default(100).describe("Priority on the backup."),
  }).prefault({}).describe("VRRP priorities; the master's must be the higher."),
  advertInt: seconds(0.01, 255).default(1).describe("Seconds between adverts; below 1 needs vrrpVersion 3."),
  vrrpVersion: z.union([z.literal(2), z.literal(3)]).default(2).describe("VRRP version; 3 allows sub-second adverts and has no authentication."),
  virtualIps: z.array(ipv4).min(1, "must list at least one VIP").describe("Addresses that move with mastership; the prefix comes from the interface."),
  authentication: secretRef("vrrpPassword").optional().describe("VRRPv2 PASS authentication (at most 8 characters). @default - none"),
  unicast: z.boolean().default(false).describe("Send adverts to the other director's address instead of multicast."),
  nopreempt: z.boolean().default(false).describe("A recovered higher-priority director does not take mastership back."),
  preemptDelay: int(0, 1000).optional().describe("Seconds a recovered master waits before preempting."),
  trackInterfaces: z.array(ifname).default([]).describe("Interfaces whose loss puts the instance in FAULT."),
  trackScripts: z.array(name("script")).default([]).describe("Names of scripts (under `scripts`) that adjust or fault the instance."),
  trackFiles: z.array(name("track file")).default([]).describe("Names of files (under `trackFiles`) that adjust or fault the instance."),
  trackProcesses: z.array(name("track process")).default([]).describe("Names of processes (under `trackProcesses`) that adjust or fault the instance."),
  notify: notify.optional(),
  garp: garp.prefault({}).describe("Gratuitous ARP timing, so clients learn the new master's MAC."),
  extraConfig: extraConfig("keepalived"),
});

export const syncGroup = z.strictObject({
  instances: z.array(name("instance")).min(2, "must group at least two instances").describe("Instances that fail over together."),
  notify: notify.optional(),
  trackScripts: z.array(name("script")).default([]).describe("Scripts tracked by the whole group."),
});

// The timing every connecting checker shares.
const retrying = (connectTimeout: number, what: string) => ({
  connectTimeout: seconds(1, 3600).default(connectTimeout).describe(what),
  retry: int(0, 100).default(3).describe("Attempts before the real server is removed."),
  delayBeforeRetry: seconds(0, 3600).default(2).describe("Seconds between attempts."),
});

export const httpCheck = z.strictObject({
  type: z.enum(["HTTP_GET", "SSL_GET"]),
  path: text(["urlPath", "keepalivedWord"]).default("/").describe("Path requested."),
  statusCode: int(100, 599).default(200).describe("Expected HTTP status."),
  digest: text(["keepalivedWord"], pattern("MD5 digest", /^[0-9a-f]{32}$/, "must be an MD5 hex digest")).optional().describe("Expected MD5 of the body (genhash)."),
  virtualHost: text(["hostName", "httpHeaderValue", "keepalivedWord"]).optional().describe("Host header to send."),
  port: port.optional().describe("Port to check. @default - the real server's port"),
  ...retrying(3, "Seconds to wait for the connection and the answer."),
});
export const tcpCheck = z.strictObject({
  type: z.literal("TCP_CHECK"),
  port: port.optional().describe("Port to connect to. @default - the real server's port"),
  ...retrying(3, "Seconds to wait for the connection."),
});
export const smtpCheck = z.strictObject({
  type: z.literal("SMTP_CHECK"),
  helo: text(["hostName", "keepalivedWord"]).default("localhost").describe("Name sent in HELO."),
  ...retrying(5, "Seconds to wait for the connection and each reply."),
});
export const miscCheck = z.strictObject({
  type: z.literal("MISC_CHECK"),
  command: command.describe("Command run on the director; exit 0 = healthy. No secrets here: the command line is visible."),
  timeout: seconds(1, 3600).default(5).describe("Seconds before a run counts as failed."),
});
export const mysqlReplicationCheck = z.strictObject({
  type: z.literal("MYSQL_REPLICATION"),
  maxLagSeconds: int(0, 86400).default(30).describe("A replica lagging more than this is taken out of the pool."),
  user: text(["mysqlOptionValue"], pattern("MySQL user", /^[A-Za-z0-9_]{1,32}$/, "must be a MySQL user name")).default("dsas_check").describe("MySQL user with REPLICATION CLIENT."),
  password: secretRef("mysqlPassword").describe("That user's password; written to a 0600 file on the directors, never on a command line."),
  timeout: seconds(1, 3600).default(5).describe("Seconds before a check counts as failed."),
});
export const dnsCheck = z.strictObject({
  type: z.literal("DNS_CHECK"),
  queryType: z.enum(["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"]).default("SOA").describe("Query type; the check passes on any answer of that type."),
  // keepalived 2.2.7 reads a one-character label followed by '.' as empty, and drops the check.
  name: text(["keepalivedWord"], pattern("DNS name", /^(\.|([A-Za-z0-9_][A-Za-z0-9_-]{0,61}[A-Za-z0-9]\.){0,126}([A-Za-z0-9_][A-Za-z0-9_-]{0,61}[A-Za-z0-9]\.?|[A-Za-z0-9_]))$/,
    "must be a DNS name such as example.com (labels of letters, digits, '-' and '_' separated by '.', each but a last one without a dot after it at least 2 long, as keepalived 2.2.7 reads a one-character label as empty), or '.' for the root"))
    .default(".").describe("Domain name asked for."),
  port: port.optional().describe("UDP port to query. @default - the real server's port"),
  ...retrying(3, "Seconds to wait for the answer."),
});
export const check = z.discriminatedUnion("type", [httpCheck, tcpCheck, smtpCheck, dnsCheck, miscCheck, mysqlReplicationCheck],
  { error: "must be one of HTTP_GET, SSL_GET, TCP_CHECK, SMTP_CHECK, DNS_CHECK, MISC_CHECK, MYSQL_REPLICATION" });
export type Check = z.infer<typeof check>;
// A real server's own checks: a MySQL check's credentials file is its pool's.
const realServerCheck = z.discriminatedUnion("type", [httpCheck, tcpCheck, smtpCheck, dnsCheck, miscCheck], {
  error: "must be one of HTTP_GET, SSL_GET, TCP_CHECK, SMTP_CHECK, DNS_CHECK, MISC_CHECK (MYSQL_REPLICATION is a pool's check only: its user and password go in one credentials file per pool)",
});

export const realServer = z.strictObject({
  address: ipv4.optional().describe("Address the director sends to. @default - the host's address on the service's segment"),
  weight: int(0, 65535).default(1).describe("IPVS weight; 0 drains the server."),
  checks: z.array(realServerCheck).optional()
    .describe("This server's own checks, all of which must pass, instead of the pool's (not MYSQL_REPLICATION, whose credentials are the pool's). @default - the pool's checks"),
  delayLoop: int(1, 86400).optional().describe("Seconds between this server's checks. @default - its virtual server's delayLoop"),
});

export const pool = z.strictObject({
  port: port.describe("Port the real servers serve on."),
  realServers: z.record(name("host"), realServer.prefault({})).refine((r) => Object.keys(r).length > 0, "must list at least one real server")
    .describe("Hosts in the pool, by host name."),
  checks: z.array(check).prefault([])
    .describe("Checks run by keepalived on the directors; all must pass, several of one type too. At least one when a pair with `ipvs: keepalived` serves the pool; static rules have none."),
  drainSeconds: int(0, 86400).default(60).describe("On removal, wait this long at weight 0 for connections to finish."),
});

export const virtualServer = z.strictObject({
  vip: ipv4.describe("Service address; one of the director pair's VIPs."),
  port: port.describe("Service port."),
  protocol: z.enum(["TCP", "UDP"]).default("TCP").describe("Transport protocol."),
  pool: name("pool").describe("The pool of real servers behind this service."),
  lbAlgo: z.enum(["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "mh", "fo", "ovf", "twos"]).default("wlc")
    .describe("IPVS scheduler."),
  lbKind: z.enum(["NAT", "DR", "TUN"]).describe("Forwarding method: NAT (replies through the director), DR (direct routing), TUN (IP-in-IP)."),
  persistenceTimeout: int(0, 2678400).default(0).describe("Seconds a client sticks to one real server (0 = off)."),
  delayLoop: int(1, 86400).default(5).describe("Seconds between health checks."),
  quorum: int(1, 65535).optional().describe("Minimum total weight of healthy real servers for the service to be up."),
  hysteresis: int(0, 65535).optional().describe("Slack around the quorum."),
  quorumUp: scriptPath.optional().describe("quorum_up: a script run when the service gains its quorum; it must exist on the directors, owned by root and not writable by others."),
  quorumDown: scriptPath.optional().describe("quorum_down: a script run when the service loses its quorum; as quorumUp."),
  alpha: z.boolean().default(false).describe("alpha: when keepalived starts, every real server counts as down until its checks pass, so none takes traffic unchecked."),
  omega: z.boolean().default(false).describe("omega: when keepalived stops, the quorumDown script and the real servers' down transitions run as for a failure."),
  inhibitOnFailure: z.boolean().default(false)
    .describe("inhibit_on_failure: a real server whose checks fail stays in the IPVS table at weight 0, so its established connections go on, instead of being removed."),
  sorryServer: z.strictObject({
    address: ipv4.describe("Sorry server address."),
    port: port.describe("Sorry server port."),
    inhibit: z.boolean().default(false).describe("sorry_server_inhibit: while not in use, the sorry server stays in the table at weight 0 instead of being removed."),
  }).optional().describe("Served when no real server is healthy."),
  gateway: ipv4.optional().describe("NAT only: the VIP the real servers route through. @default - the pair's single VIP on their segment"),
  extraConfig: extraConfig("keepalived"),
});

export const directorPair = z.strictObject({
  master: name("host").describe("Director that is master when both are healthy."),
  backup: name("host").describe("Director that takes over; always updated first."),
  ipvs: z.enum(["keepalived", "static"]).default("keepalived")
    .describe("keepalived: its checkers manage IPVS; static: fixed ipvsadm rules loaded at boot, keepalived only for the VIPs."),
  routerIds: z.boolean().default(true).describe("Set each director's router_id to its host name."),
  scriptUser: text(["userName", "keepalivedWord"]).default("root")
    .describe("User that runs vrrp scripts, notify scripts and MISC_CHECK (script_user); root while the pair has any, since keepalived 2.2.7's config test stops itself otherwise."),
  skipCheckAdvAddr: z.boolean().default(true)
    .describe("vrrp_skip_check_adv_addr: accept adverts whose VIP list differs, so a rolling change cannot cause a failover."),
  reloadCheckConfig: z.boolean().default(true).describe("reload_check_config: keepalived tests the config before each reload."),
  lvsSyncDaemon: z.strictObject({
    interface: ifname.describe("Interface the sync traffic uses."),
    instance: name("instance").describe("VRRP instance whose state decides master/backup sync role."),
    syncId: int(0, 255).optional().describe("Sync daemon id, to tell several clusters apart on one segment. @default - keepalived's own"),
  }).optional().describe("Synchronise IPVS connection state to the backup so connections survive a failover."),
  maintenance: name("host").optional()
    .describe("A director taken out of service, as Pacemaker's standby: keepalived's track_file faults its instances, so it hands the VIPs to the other director and takes none while this is set; no daemon is stopped. Removed, the master takes the VIPs back unless nopreempt keeps them where they are. @default - none"),
  handoverSyncSeconds: int(0, 3600).default(30)
    .describe("With lvsSyncDaemon: before the VIPs move for maintenance (either way), wait up to this long for the receiving director's connection table to hold every connection established through the giving one; a longer wait fails the run with the VIPs where they were. 0 moves them without waiting."),
  instances: z.record(name("instance"), vrrpInstance).refine((r) => Object.keys(r).length > 0, "must define at least one VRRP instance")
    .describe("VRRP instances (vrrp_instance), by name: an interface, a VRID and the VIPs it carries."),
  syncGroups: z.record(name("sync group"), syncGroup).default({}).describe("Groups of instances that fail over together (vrrp_sync_group), by name."),
  scripts: z.record(name("script"), vrrpScript).default({}).describe("vrrp_script definitions, by name."),
  trackFiles: z.record(name("track file"), trackFile).default({}).describe("Files keepalived watches (track_file), by name; instances name the ones they track."),
  trackProcesses: z.record(name("track process"), trackProcess).default({})
    .describe("Processes keepalived watches through the kernel's process events (vrrp_track_process), by name, without running a script; instances name the ones they track."),
  virtualServers: z.record(name("virtual server"), virtualServer).default({}).describe("LVS services on the pair's VIPs, by name."),
  extraGlobalConfig: extraConfig("keepalived"),
});

const drbdNode = z.strictObject({
  disk: drbdPath.describe("Backing block device."),
  address: ipv4.optional().describe("Replication address. @default - the host's address on the segment it shares with the peer"),
});
const afterSb = {
  zeroPrimaries: z.enum(["disconnect", "discard-younger-primary", "discard-older-primary", "discard-zero-changes", "discard-least-changes"])
    .describe("after-sb-0pri: split brain found while neither node is Primary."),
  onePrimary: z.enum(["disconnect", "consensus", "discard-secondary", "call-pri-lost-after-sb", "violently-as0p"])
    .describe("after-sb-1pri: split brain found while one node is Primary."),
  twoPrimaries: z.enum(["disconnect", "call-pri-lost-after-sb", "violently-as0p"])
    .describe("after-sb-2pri: split brain found while both nodes are Primary."),
};
export const drbdPair = z.strictObject({
  resource: name("resource", "drbdWord").optional().describe("DRBD resource name. @default - the pair's key"),
  nodes: z.record(name("host", "drbdWord", "machineName"), drbdNode).refine((r) => Object.keys(r).length === 2, "must name exactly two nodes")
    .describe("The two hosts that mirror the device, by host name."),
  device: text(["drbdWord"], pattern("DRBD device", /^\/dev\/drbd\d{1,3}$/, "must be /dev/drbdN")).default("/dev/drbd0").describe("The replicated block device the service uses."),
  metaDisk: z.union([z.literal("internal"), drbdPath]).default("internal").describe("Where DRBD metadata lives."),
  port: int(1024, 65535).default(7788).describe("Replication TCP port."),
  protocol: z.enum(["A", "B", "C"]).default("C").describe("C is synchronous: no acknowledged write is lost."),
  sharedSecret: secretRef("drbdSharedSecret").describe("Peer authentication secret."),
  cramHmacAlg: z.enum(["sha1", "sha256", "sha512"]).default("sha256").describe("Digest for peer authentication with the shared secret."),
  afterSplitBrain: z.strictObject(afterSb).prefault({ zeroPrimaries: "disconnect", onePrimary: "disconnect", twoPrimaries: "disconnect" })
    .describe("Automatic split-brain recovery; anything but disconnect can discard data."),
  // A word of the handler's command in a drbd.conf quoted string (255 bytes, 36 of them the command's).
  splitBrainNotify: text(["shellWord"], pattern("mail recipient", /^[A-Za-z0-9@._+-]{1,219}$/, "must be a mail address or user of at most 219 characters"))
    .default("root")
    .describe("Who the split-brain handler mails."),
  initialSyncSource: name("host").describe("Node whose data wins the very first sync; forced Primary only on first set-up."),
  skipInitialSync: z.boolean().default(false).describe("Both disks are brand new and empty: mark them in sync without copying."),
  filesystem: z.strictObject({
    type: z.enum(["ext4", "xfs"]).default("ext4").describe("Filesystem on the device."),
    create: z.boolean().default(false).describe("Create it on first set-up when blkid finds none (never over existing data)."),
    mountPoint: text(["filePath"]).optional().describe("Where the service mounts it on the primary; never at boot."),
  }).optional().describe("The filesystem on the DRBD device. @default - none managed"),
  resyncRate: text(["drbdRate", "drbdWord"]).optional().describe("Resync bandwidth cap (8.4 `resync-rate`)."),
  extraNetConfig: extraConfig("drbd"),
});

export const cacheTier = z.strictObject({
  squids: z.array(name("host")).min(1, "must list at least one squid node").describe("Hosts running memory-only squid."),
  fronts: z.array(name("host")).min(1, "must list at least one front").describe("Hosts running nginx that picks a squid by URI hash."),
  origin: z.strictObject({
    address: text(["hostName", "squidWord"]).describe("Origin server address or name."),
    port: port.default(80).describe("Origin server port."),
  }).describe("Where misses are fetched from."),
  listenPort: port.default(80).describe("Port the nginx fronts listen on."),
  squidPort: port.default(3128).describe("Port squid serves the fronts on (accelerator mode)."),
  memoryMB: int(16, 1048576).default(256).describe("squid cache_mem; objects live only in memory."),
  maxObjectKB: int(1, 1048576).default(512).describe("Largest object kept in memory."),
  siblings: z.enum(["icp", "htcp", "none"], {
    error: "must be icp, htcp or none: cache digests are not offered, since squid builds its digest only from a cache_dir and these squids cache in memory only",
  }).default("none")
    .describe("How squids ask each other for an object: ICP or HTCP queries, or not at all (the URI hash already spreads objects)."),
  icpPort: port.default(3130).describe("UDP port for ICP queries between squids."),
  htcpPort: port.default(4827).describe("UDP port for HTCP queries between squids."),
  serverName: text(["nginxServerName", "nginxWord"]).default("_").describe("nginx server_name of the front."),
  squidFailures: z.strictObject({
    connectTimeoutSeconds: int(1, 75).default(2)
      .describe("proxy_connect_timeout: how long a front waits for a squid to accept before it tries the next one (a squid whose host is down never refuses)."),
    readTimeoutSeconds: int(1, 3600).default(60)
      .describe("proxy_read_timeout: how long a front waits between two reads from a squid, a miss's trip to the origin included; a request sent on a kept-alive connection to a squid whose host died waits this long before it goes on."),
    retryOn: z.array(z.enum(["error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_429", "non_idempotent"])).default(["error", "timeout"])
      .describe("proxy_next_upstream: what sends a request on to the next squid; empty: never. A squid's own 5xx is its origin's answer, which another squid would get too, so it is not retried by default."),
    attempts: int(1, 100).default(2).describe("proxy_next_upstream_tries: squids a request may try, the first included."),
    maxFails: int(0, 1000).default(1).describe("max_fails: failed attempts within failTimeoutSeconds after which a front sends a squid nothing for failTimeoutSeconds; 0: never."),
    failTimeoutSeconds: int(1, 3600).default(10).describe("fail_timeout: the window for maxFails, and how long a squid then gets no requests."),
  }).prefault({}).describe("How the fronts handle a squid that fails, so that a dead squid costs a retry, not an error."),
  squidExtraConfig: extraConfig("squid"),
  nginxExtraConfig: extraConfig("nginx"),
});

// An active/backup service on a DRBD pair that moves by itself: Pacemaker on
// Corosync promotes DRBD, mounts the filesystem, starts the service and moves
// its address, with a third vote from corosync-qnetd on an arbiter and
// watchdog self-fencing (sbd), so a partition never gives two Primaries.
const nfsExport = z.strictObject({
  path: text(["filePath"]).describe("Folder exported, under the pair's mount point."),
  clients: z.array(text([], pattern("NFS client", /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[A-Za-z0-9*?]([A-Za-z0-9*?.-]{0,252}))$/,
    "must be an address, an address with prefix (192.168.31.0/24), a host name or a wildcard (*.example.com)")))
    .min(1, "must list at least one client").describe("Who may mount it."),
  options: z.array(text([], pattern("export option", /^[a-z_]{1,32}(=[A-Za-z0-9:._-]{1,64})?$/,
    "must be an exports(5) option such as rw, sync, no_subtree_check or fsid=1")))
    .default(["rw", "sync", "no_subtree_check"]).describe("exports(5) options; sync, so an NFS write is on both disks before it is acknowledged."),
});
export const nfsService = z.strictObject({
  exports: z.array(nfsExport).min(1, "must export at least one folder").describe("What the NFS server exports, as /etc/exports would."),
  leaseSeconds: int(10, 3600).default(90).describe("NFSv4 lease; clients renew their state this often."),
  graceSeconds: int(10, 3600).default(90).describe("After a move, how long clients have to reclaim their opens and locks before new ones are served."),
});
export const mariadbService = z.strictObject({
  serverId: int(1, 4294967295).default(1).describe("server_id: the same on both nodes, since the pair is one server whose binlogs move with it."),
  port: port.default(3306).describe("Port it serves on."),
  bufferPoolMB: int(8, 1048576).default(128).describe("innodb_buffer_pool_size."),
});
export const storagePair = drbdPair.omit({ filesystem: true, skipInitialSync: true, protocol: true }).extend({
  filesystem: z.strictObject({
    type: z.enum(["ext4", "xfs"]).default("ext4").describe("Filesystem on the device."),
    create: z.boolean().default(false).describe("Create it on first set-up when blkid finds none (never over existing data)."),
    mountPoint: text(["filePath"]).describe("Where the Primary mounts it; never at boot, only by the cluster."),
  }).describe("The filesystem on the DRBD device, which holds the service's data."),
  address: ipv4.describe("The service address clients use: always on the node that is Primary."),
  arbiter: name("host").describe("Host running corosync-qnetd, the third vote that lets a two-node pair tell a dead peer from a partition; on the nodes' segment, not one of them."),
  clusterKey: secretRef("corosyncKey").describe("Corosync's authentication key, at least 128 bytes (openssl rand -base64 128)."),
  preferredNode: name("host").optional()
    .describe("Where the service runs while both nodes are healthy; changing it moves the service there (a planned switchover). @default - it stays where it runs"),
  tokenMs: int(1000, 60000).default(3000).describe("Corosync's token timeout: a peer silent this long is lost."),
  watchdogSeconds: int(5, 120).default(30)
    .describe("sbd's watchdog timeout: a node that loses quorum has reset itself within this; the survivor waits twice as long before taking over."),
  nfs: nfsService.optional().describe("Serve NFS from the pair. One of nfs and mariadb."),
  mariadb: mariadbService.optional().describe("Serve the MariaDB primary from the pair. One of nfs and mariadb."),
});

export const topology = z.strictObject({
  hosts: z.record(name("host"), host).refine((r) => Object.keys(r).length > 0, "must define at least one host")
    .describe("Every machine of the stack, by host name."),
  directorPairs: z.record(name("director pair"), directorPair).prefault({}).describe("Active/backup LVS director pairs, by name."),
  pools: z.record(name("pool"), pool).prefault({}).describe("Pools of real servers with their health checks, by name."),
  drbdPairs: z.record(name("DRBD pair", "drbdWord"), drbdPair).prefault({}).describe("DRBD-mirrored storage pairs, by name."),
  cacheTiers: z.record(name("cache tier"), cacheTier).default({}).describe("Image cache tiers: squid nodes behind nginx fronts, by name."),
  storagePairs: z.record(name("storage pair", "drbdWord"), storagePair).prefault({})
    .describe("Active/backup services on DRBD that fail over by themselves (NFS, the MariaDB primary), by name."),
});

export type Topology = z.infer<typeof topology>;
export type Host = z.infer<typeof host>;
export type DirectorPair = z.infer<typeof directorPair>;
export type VrrpInstance = z.infer<typeof vrrpInstance>;
export type VirtualServer = z.infer<typeof virtualServer>;
export type Pool = z.infer<typeof pool>;
export type DrbdPair = z.infer<typeof drbdPair>;
export type CacheTier = z.infer<typeof cacheTier>;
export type StoragePair = z.infer<typeof storagePair>;
