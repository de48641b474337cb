import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTEXTS, contextsOf, NAME_CONTEXTS } from "../../components/model/text.ts";
import { problems } from "../helpers/example.ts";
import { stringFields } from "../helpers/schema-walk.ts";

const HTTP = "topology.pools.web.checks[0]";
const NOTIFY = "topology.directorPairs.lb.instances.VI_INT.notify.master";
const SCRIPT = "topology.directorPairs.lb.scripts.chk_uplink.command";
const setNotify = (v: string) => (t: any) => { t.directorPairs.lb.instances.VI_INT.notify = { master: v }; };
const setCommand = (v: string) => (t: any) => { t.directorPairs.lb.scripts.chk_uplink.command = v; };
const setHost = (v: string) => (t: any) => { t.pools.web.checks[0].virtualHost = v; };
const setPath = (v: string) => (t: any) => { t.pools.web.checks[0].path = v; };

const HOST_NAME = "must be a host name or IPv4 address: labels of 1..63 letters, digits and '-' (not at either end) separated by '.', at most 253 in all";
const FILE_PATH = "must be an absolute path: '/' and names of letters, digits, '.', '_', '-', '+', '@' or ':' (at most 255 each, 4095 in all), without '.', '..' or empty names";
const label = (n: number) => "a".repeat(n);
/** A path of `n` bytes under /usr, in names of at most 200. */
const longPath = (n: number) => {
  let p = "/usr";
  while (p.length < n) p += `/${label(Math.min(200, n - p.length - 1))}`;
  return p;
};
/** How a message shows a long value: its JSON cut to 57 characters. */
const cut = (v: string) => `${JSON.stringify(v).slice(0, 57)}...`;

describe("every string field of the schema", () => {
  const fields = stringFields();

  it("says where its value is written, so a rule decides what it may hold", () => {
    expect(fields.filter((f) => !contextsOf(f.schema)?.length).map((f) => f.place)).toEqual([]);
  });

  it("is found by the walk, keys and list items included", () => {
    const places = fields.map((f) => f.place);
    for (const p of ["hosts.<key>", "hosts.<name>.ssh.address", "pools.<name>.checks[HTTP_GET/SSL_GET].virtualHost",
      "directorPairs.<name>.instances.<name>.extraConfig[]", "drbdPairs.<name>.metaDisk", "cacheTiers.<name>.serverName"]) {
      expect(places).toContain(p);
    }
  });
});

describe("a name", () => {
  it("is a word every context it lands in holds as it is", () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,62}$/), (v) => {
      for (const c of NAME_CONTEXTS) expect(CONTEXTS[c].problem(v), `${c}: ${JSON.stringify(v)}`).toBeUndefined();
    }), { seed: 12, numRuns: 300 });
  });

  it.each([
    ["a host name that is not a name", (t: any) => { t.hosts["lv 9"] = { interfaces: { eth0: "10.9.9.9/24" } }; },
      "topology.hosts[\"lv 9\"] must be a host name: a letter, then letters, digits, '_', '.' or '-' (at most 63), got \"lv 9\""],
    ["a host name with a line break", (t: any) => { t.hosts["lv9\nx"] = { interfaces: { eth0: "10.9.9.9/24" } }; },
      "topology.hosts[\"lv9\\nx\"] must be a host name: a letter, then letters, digits, '_', '.' or '-' (at most 63), got \"lv9\\nx\""],
    ["an interface name of 16 characters", (t: any) => { t.hosts.web1.interfaces = { [`e${label(15)}`]: "192.168.31.101/24" }; },
      `topology.hosts.web1.interfaces.e${label(15)} must be at most 15 characters, the longest interface name Linux has, got 16`],
    ["a DRBD resource named as a drbd.conf keyword", (t: any) => { t.drbdPairs.nfs.resource = "net"; },
      "topology.drbdPairs.nfs.resource must not be 'net', which drbd.conf reads as its own keyword, got \"net\""],
    ["a DRBD node named as a drbd.conf keyword", (t: any) => {
      t.hosts.disk = t.hosts.nfs2; delete t.hosts.nfs2;
      t.drbdPairs.nfs.nodes = { nfs1: { disk: "/dev/sdb" }, disk: { disk: "/dev/sdb" } };
    }, "topology.drbdPairs.nfs.nodes.disk must not be 'disk', which drbd.conf reads as its own keyword, got \"disk\""],
    ["a reference named as a property of every object", (t: any) => { t.directorPairs.lb.master = "toString"; },
      "topology.directorPairs.lb.master must not be 'toString', a name every JavaScript object has, which dsas-kit could not tell from one the stack defines, got \"toString\""],
    ["a host named as a property of every object", (t: any) => { t.hosts.constructor = { interfaces: { eth0: "10.9.9.9/24" } }; },
      "topology.hosts.constructor must not be 'constructor', a name every JavaScript object has, which dsas-kit could not tell from one the stack defines, got \"constructor\""],
    ["a DRBD node whose name no machine can have", (t: any) => {
      t.hosts.nfs_2 = t.hosts.nfs2; delete t.hosts.nfs2;
      t.drbdPairs.nfs.nodes = { nfs1: { disk: "/dev/sdb" }, nfs_2: { disk: "/dev/sdb" } };
    }, "topology.drbdPairs.nfs.nodes.nfs_2 must be the machine's own name, as uname -n gives it and drbdadm finds the node's section by: labels of letters, digits and '-' (not at either end) separated by '.', got \"nfs_2\""],
  ])("refuses %s", (_what, mutate, message) => {
    expect(problems(mutate)).toEqual([message]);
  });

  it("accepts a DRBD node named by its full host name", () => {
    expect(problems((t) => {
      t.hosts["nfs2.example.com"] = t.hosts.nfs2; delete t.hosts.nfs2;
      t.drbdPairs.nfs.nodes = { nfs1: { disk: "/dev/sdb" }, "nfs2.example.com": { disk: "/dev/sdb" } };
    })).toEqual([]);
  });

  it.each(["eth123456789012", "network", "on-call"])("accepts %j where it is a word of its own", (v) => {
    expect(problems((t) => { t.hosts.web1.interfaces = { [v]: "192.168.31.101/24" }; })).toEqual([]);
    expect(problems((t) => { t.drbdPairs.nfs.resource = v; })).toEqual([]);
  });
});

describe("what each context refuses, with the field path", () => {
  it.each([
    // keepalived words: what keepalived reads specially in an unquoted word.
    ["a URL path with '!'", setPath("/a!b"), `${HTTP}.path must not contain '!': keepalived reads the rest of the line as a comment, got "/a!b"`],
    ["a URL path with '$'", setPath("/a$b"), `${HTTP}.path must not contain '$': keepalived replaces $NAME and \${NAME} with the value of a definition, got "/a$b"`],
    ["a URL path of 961 bytes", setPath(`/${label(960)}`), `${HTTP}.path must be at most 960 bytes: keepalived reads lines of at most 1023 bytes, the keyword and indentation before the value included, got 961 bytes`],
    ["a URL path with a space", setPath("/a b"), `${HTTP}.path must be a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@/, '%' only before two hex digits, and an optional '?' query of the same and '?', got "/a b"`],
    ["a URL path with a bad escape", setPath("/a%zz"), `${HTTP}.path must be a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@/, '%' only before two hex digits, and an optional '?' query of the same and '?', got "/a%zz"`],
    ["a URL path with a fragment", setPath("/a#top"), `${HTTP}.path must be a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@/, '%' only before two hex digits, and an optional '?' query of the same and '?', got "/a#top"`],
    ["a URL path with '}'", setPath("/a}"), `${HTTP}.path must be a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@/, '%' only before two hex digits, and an optional '?' query of the same and '?', got "/a}"`],
    // host names
    ["a Host header with a line break", setHost("www.example.com\nMISC_CHECK"), `${HTTP}.virtualHost ${HOST_NAME}, got "www.example.com\\nMISC_CHECK"`],
    ["a Host header with a space", setHost("a b"), `${HTTP}.virtualHost ${HOST_NAME}, got "a b"`],
    ["an empty Host header", setHost(""), `${HTTP}.virtualHost ${HOST_NAME}, got ""`],
    ["a host name label starting with '-'", setHost("-a.example.com"), `${HTTP}.virtualHost ${HOST_NAME}, got "-a.example.com"`],
    ["a host name label of 64", setHost(`${label(64)}.com`), `${HTTP}.virtualHost ${HOST_NAME}, got ${cut(label(64))}`],
    ["a host name of 254", setHost(`${label(63)}.${label(63)}.${label(63)}.${label(62)}`), `${HTTP}.virtualHost ${HOST_NAME}, got ${cut(label(63))}`],
    ["a numeric name that is no address", setHost("10.10.31.300"), `${HTTP}.virtualHost ${HOST_NAME}, got "10.10.31.300"`],
    ["a lone surrogate", setHost("a\ud800"), `${HTTP}.virtualHost must be valid Unicode text (it holds a lone surrogate, which UTF-8 cannot write), got "a\\ud800"`],
    ["an origin with a squid directive", (t: any) => { t.cacheTiers.images.origin.address = "10.0.1.100\nhttp_access allow all"; },
      `topology.cacheTiers.images.origin.address ${HOST_NAME}, got "10.0.1.100\\nhttp_access allow all"`],
    ["a HELO name with '{'", (t: any) => { t.pools.smtp.checks[0].helo = "lb{"; }, `topology.pools.smtp.checks[0].helo ${HOST_NAME}, got "lb{"`],
    ["an SSH address with a space", (t: any) => { t.hosts.web1.ssh = { address: "web1 -oProxyCommand=x" }; },
      `topology.hosts.web1.ssh.address ${HOST_NAME}, got "web1 -oProxyCommand=x"`],
    // quoted keepalived strings and commands
    ["a command with a double quote", setCommand('/bin/sh -c "ping"'), `${SCRIPT} must not contain a double quote ("): it would end keepalived's quoted string, got "/bin/sh -c \\"ping\\""`],
    ["a command with a line break", setCommand("/usr/bin/true\n}"), `${SCRIPT} must not contain a line break: keepalived.conf holds it on one line of printable text, got "/usr/bin/true\\n}"`],
    ["a command with a backslash", setCommand("/usr/bin/printf a\\nb"), `${SCRIPT} must not contain '\\': keepalived reads a backslash as an escape, got "/usr/bin/printf a\\\\nb"`],
    ["a command with '$'", setCommand("/usr/bin/test -e $HOME"), `${SCRIPT} must not contain '$': keepalived replaces $NAME and \${NAME} with the value of a definition, got "/usr/bin/test -e $HOME"`],
    ["a command with an unclosed quote", setCommand("/bin/sh -c 'ping"), `${SCRIPT} must close every single quote: keepalived splits the command into words at spaces outside single quotes, and refuses an unclosed one, got "/bin/sh -c 'ping"`],
    ["an empty command", setCommand(""), `${SCRIPT} must name the program to run, got ""`],
    ["a blank command", setCommand("  "), `${SCRIPT} must name the program to run, got "  "`],
    ["a command of 961 bytes", setCommand(`/usr/bin/true ${label(947)}`), `${SCRIPT} must be at most 960 bytes: keepalived reads lines of at most 1023 bytes, the keyword and indentation before the value included, got 961 bytes`],
    // file paths
    ["a relative notify path", setNotify("bin/notify"), `${NOTIFY} ${FILE_PATH}, got "bin/notify"`],
    ["a notify path with '..'", setNotify("/usr/../bin/notify"), `${NOTIFY} ${FILE_PATH}, got "/usr/../bin/notify"`],
    ["a notify path with '//'", setNotify("/usr//bin/notify"), `${NOTIFY} ${FILE_PATH}, got "/usr//bin/notify"`],
    ["a notify path ending in '/'", setNotify("/usr/bin/"), `${NOTIFY} ${FILE_PATH}, got "/usr/bin/"`],
    ["a notify path with a space", setNotify("/usr/bin/my notify"), `${NOTIFY} ${FILE_PATH}, got "/usr/bin/my notify"`],
    ["a notify path with '$'", setNotify("/usr/bin/$x"), `${NOTIFY} ${FILE_PATH}, got "/usr/bin/$x"`],
    ["a notify path of 961 bytes", setNotify(longPath(961)), `${NOTIFY} must be at most 960 bytes: keepalived reads lines of at most 1023 bytes, the keyword and indentation before the value included, got 961 bytes`],
    ["a path name of 256", (t: any) => { t.drbdPairs.nfs.filesystem.mountPoint = `/srv/${label(256)}`; }, `topology.drbdPairs.nfs.filesystem.mountPoint ${FILE_PATH}, got ${cut(`/srv/${label(256)}`)}`],
    ["a DRBD disk with ':'", (t: any) => { t.drbdPairs.nfs.nodes.nfs1.disk = "/dev/disk/by-path/pci-0000:00:1f.2"; },
      "topology.drbdPairs.nfs.nodes.nfs1.disk must be 1..128 letters, digits, '/', '.', '_' or '-': the only unquoted words drbd.conf has, got \"/dev/disk/by-path/pci-0000:00:1f.2\""],
    ["a DRBD disk of 129 bytes", (t: any) => { t.drbdPairs.nfs.nodes.nfs1.disk = `/dev/${label(124)}`; },
      `topology.drbdPairs.nfs.nodes.nfs1.disk must be 1..128 letters, digits, '/', '.', '_' or '-': the only unquoted words drbd.conf has, got ${cut(`/dev/${label(124)}`)}`],
    ["a DRBD meta disk with ';'", (t: any) => { t.drbdPairs.nfs.metaDisk = "/dev/sdc;"; }, `topology.drbdPairs.nfs.metaDisk ${FILE_PATH}, got "/dev/sdc;"`],
    // users, shell words, servers, rates
    ["a script user with an upper-case letter", (t: any) => { t.directorPairs.lb.scriptUser = "Root"; },
      "topology.directorPairs.lb.scriptUser must be a user name: a lower-case letter or '_', then lower-case letters, digits, '_' or '-', at most 32 in all, got \"Root\""],
    ["a login user of 33", (t: any) => { t.hosts.web1.ssh = { user: `u${label(32)}` }; },
      `topology.hosts.web1.ssh.user must be a user name: a lower-case letter or '_', then lower-case letters, digits, '_' or '-', at most 32 in all, got "u${label(32)}"`],
    ["a split-brain recipient read as an option", (t: any) => { t.drbdPairs.nfs.splitBrainNotify = "-oProxy"; },
      "topology.drbdPairs.nfs.splitBrainNotify must be letters, digits and @%+=:,./_- only, not starting with '-': it is a word of a shell command, where other characters are special and a leading '-' is an option, got \"-oProxy\""],
    ["a split-brain recipient of 220", (t: any) => { t.drbdPairs.nfs.splitBrainNotify = label(220); },
      `topology.drbdPairs.nfs.splitBrainNotify must be a mail address or user of at most 219 characters, got ${cut(label(220))}`],
    ["a server name that adds a location", (t: any) => { t.cacheTiers.images.serverName = "img.example.com; location /x { return 200; }"; },
      "topology.cacheTiers.images.serverName must be a server name: a host name, '*.' or '.' before one, '.*' after one, or '_' for any, got \"img.example.com; location /x { return 200; }\""],
    ["a regular expression server name", (t: any) => { t.cacheTiers.images.serverName = "~^img"; },
      "topology.cacheTiers.images.serverName must be a server name: a host name, '*.' or '.' before one, '.*' after one, or '_' for any, got \"~^img\""],
  ])("refuses %s", (_what, mutate, message) => {
    expect(problems(mutate)).toEqual([message]);
  });

  it.each([
    ["a URL path of 960 bytes and a query", setPath(`/${label(953)}?a=1&b`)],
    ["a URL path with escapes and sub-delimiters", setPath("/a%2Fb/(c);d=1,e'*+@:~")],
    ["a host name of 253 with labels of 63", setHost(`${label(63)}.${label(63)}.${label(63)}.${label(61)}`)],
    ["an IPv4 Host header", setHost("10.10.31.100")],
    ["a command of 960 bytes with quoted words", setCommand(`/bin/sh -c 'ping -c1 10.10.31.1' #!{} ${label(922)}`)],
    ["a notify path of 960 bytes", setNotify(longPath(960))],
    ["a DRBD disk of 128 bytes", (t: any) => { t.drbdPairs.nfs.nodes.nfs1.disk = `/dev/${label(123)}`; }],
    ["a login user of 32", (t: any) => { t.hosts.web1.ssh = { user: `u${label(31)}` }; }],
    ["a split-brain recipient of 219", (t: any) => { t.drbdPairs.nfs.splitBrainNotify = label(219); }],
    ["a wildcard server name", (t: any) => { t.cacheTiers.images.serverName = "*.img.example.com"; }],
    ["a suffix wildcard server name", (t: any) => { t.cacheTiers.images.serverName = "img.example.*"; }],
  ])("accepts %s", (_what, mutate) => {
    expect(problems(mutate)).toEqual([]);
  });

  it.each(["4097M", "4194305K", "4194305", "5G", "0", "0K", "123456789", "1T", "100 M"])("refuses a resync rate of %j, outside DRBD's range", (v) => {
    expect(problems((t) => { t.drbdPairs.nfs.resyncRate = v; })).toEqual([
      `topology.drbdPairs.nfs.resyncRate must be a rate of 1K to 4G (DRBD takes 1..4194304 KiB/s) such as 100M: digits, then K, M or G, got ${JSON.stringify(v)}`]);
  });

  it.each(["4G", "4096M", "4194304K", "4194304", "1", "1K"])("accepts a resync rate of %j", (v) => {
    expect(problems((t) => { t.drbdPairs.nfs.resyncRate = v; })).toEqual([]);
  });

  // Contexts that the formats in front of them already narrow, where they stand.
  it.each([
    ["nginxWord", "a;b", "must not contain ';': nginx reads it as the end of a directive or the start or end of a block"],
    ["nginxWord", "$host", "must not contain '$': nginx reads $NAME as a variable"],
    ["squidWord", "a${process_number}", "must not contain '$': squid replaces ${NAME} macros"],
    ["squidWord", "a b", "must not contain a space: squid reads it as the end of a word"],
    ["keepalivedWord", "a{", "must not contain '{': keepalived reads it as the start or end of a block"],
    ["keepalivedWord", "a\"b", "must not contain a double quote (\"): keepalived reads a double quote as the start of a quoted string"],
    ["httpHeaderValue", "a\r\nX-Injected: 1", "must be an HTTP header value: printable ASCII and spaces, not starting or ending with a space (HTTP drops those)"],
    ["httpHeaderValue", " a", "must be an HTTP header value: printable ASCII and spaces, not starting or ending with a space (HTTP drops those)"],
    ["mysqlOptionValue", "a#b", "must be a MySQL option file value: printable ASCII without quotes, backslashes or '#', not starting or ending with a space"],
    ["fileName", "..", "must be a file name: not empty, '.' or '..', without '/', at most 200 bytes"],
    ["drbdWord", "yes", "must not be 'yes', which drbd.conf reads as its own keyword"],
  ] as const)("%s refuses %j", (context, value, message) => {
    expect(CONTEXTS[context].problem(value)).toBe(message);
  });
});

describe("lines added to a block", () => {
  const keepalived = (ls: string[]) => problems((t) => { t.directorPairs.lb.instances.VI_INT.extraConfig = ls; });
  const nginx = (ls: string[]) => problems((t) => { t.cacheTiers.images.nginxExtraConfig = ls; });
  const squid = (ls: string[]) => problems((t) => { t.cacheTiers.images.squidExtraConfig = ls; });
  const drbd = (ls: string[]) => problems((t) => { t.drbdPairs.nfs.extraNetConfig = ls; });
  const K = "topology.directorPairs.lb.instances.VI_INT.extraConfig";
  const N = "topology.cacheTiers.images.nginxExtraConfig";
  const S = "topology.cacheTiers.images.squidExtraConfig";
  const D = "topology.drbdPairs.nfs.extraNetConfig";

  it.each([
    [["}", "vrrp_script evil {", "script \"/bin/evil\""], `${K}[0] must not close a block it did not open: keepalived.conf would read this '}' as the end of the block the lines are written in, got "}"`],
    [["dont_track_primary } virtual_server 10.0.0.1 80 {"], `${K}[0] must not close a block it did not open: keepalived.conf would read this '}' as the end of the block the lines are written in, got "dont_track_primary } virtual_server 10.0.0.1 80 {"`],
    [["track_file {", "  flag weight -10"], `${K}[0] opens a block that no later line closes: keepalived.conf would read the rest of the file inside it, got "track_file {"`],
    [["dont_track_primary\n}"], `${K}[0] must not contain a line break: it is one line of keepalived.conf, got "dont_track_primary\\n}"`],
    [["dont_track_primary \\"], `${K}[0] must not end with '\\', which keepalived reads as joining the next line to this one, got "dont_track_primary \\\\"`],
    [['notify "/usr/bin/true'], `${K}[0] must close its double quotes: keepalived refuses a line with an unterminated quote, got "notify \\"/usr/bin/true"`],
    [['notify "/a\\" }"'], `${K}[0] must not have '\\' before a double quote: keepalived's readers disagree on where such a quoted string ends, got "notify \\"/a\\\\\\" }\\""`],
    [[`# ${label(999)}`], `${K}[0] must be at most 1000 bytes: keepalived reads lines of at most 1023 bytes and starts a new line after that, got 1001 bytes`],
  ])("keepalived: refuses %j", (ls, message) => {
    expect(keepalived(ls)).toEqual([message]);
  });

  it.each([
    [["track_file {", "  dsas_flag {", "    file /run/dsas-flag", "  }", "}"]],
    [["dont_track_primary # } a comment"], ["notify \"/usr/bin/logger }\""], ["garp_master_delay 5 \\# not a comment {}"]],
    [[`# ${label(998)}`]],
  ])("keepalived: accepts %j", (...ls) => {
    for (const l of ls) expect(keepalived(l)).toEqual([]);
  });

  it.each([
    [["}", "server { listen 81;"], `${N}[0] must not close a block it did not open: nginx.conf would read this '}' as the end of the block the lines are written in, got "}"`],
    [["return 200"], `${N}[0] must end its directive with ';': nginx would read the next line of the file as part of it, got "return 200"`],
    [["location /x {"], `${N}[0] opens a block that no later line closes: nginx.conf would read the rest of the file inside it, got "location /x {"`],
    [[";"], `${N}[0] must not have ';' there: nginx refuses it as unexpected, got ";"`],
    [["return 200 }"], `${N}[0] must not have '}' there: nginx refuses it as unexpected, got "return 200 }"`],
    [['add_header X "a"b;'], `${N}[0] must not have 'b' there: nginx refuses it as unexpected, got "add_header X \\"a\\"b;"`],
    [['add_header X "a;', '}";'], `${N}[0] must close its quotes on the same line: nginx would read the lines after it as part of the quoted string, got "add_header X \\"a;"`],
    [["add_header X a\\"], `${N}[0] must not end with '\\', which nginx reads as escaping the line break, got "add_header X a\\\\"`],
    [[`# ${label(3999)}`], `${N}[0] must be at most 4000 bytes: nginx refuses a word longer than its 4096-byte buffer, got 4001 bytes`],
  ])("nginx: refuses %j", (ls, message) => {
    expect(nginx(ls)).toEqual([message]);
  });

  it.each([
    [["location /x {", "return 204;", "}"]],
    [["add_header X-A \"a;b}\" always;", "# } a comment", "add_header X-B '{' always; # ;"]],
    [["add_header X-C a}b;", "set $v ${host}x;", "return", "204;"]],
  ])("nginx: accepts %j", (ls) => {
    expect(nginx(ls)).toEqual([]);
  });

  it.each([
    [["acl a src 10.0.0.1 \\"], `${S}[0] must not end with '\\', which squid reads as joining the next line to this one, got "acl a src 10.0.0.1 \\\\"`],
    [["if ${process_number} = 1", "workers 2"], `${S}[0] opens an 'if' that no later line closes with 'endif': squid refuses it, got "if \${process_number} = 1"`],
    [["endif"], `${S}[0] must not have 'endif' without an 'if' in the lines before it: squid refuses it, got "endif"`],
    [["acl a src 10.0.0.1\nhttp_access allow all"], `${S}[0] must not contain a line break: it is one line of squid.conf, got "acl a src 10.0.0.1\\nhttp_access allow all"`],
    [[`# ${label(7999)}`], `${S}[0] must be at most 8000 bytes: squid reads lines of at most 8191 bytes and starts a new line after that, got 8001 bytes`],
  ])("squid: refuses %j", (ls, message) => {
    expect(squid(ls)).toEqual([message]);
  });

  it("squid: accepts an if closed by endif, and a line of 8000 bytes", () => {
    expect(squid(["if ${process_number} = 1", "else", "endif", `# ${label(7998)}`])).toEqual([]);
  });

  it.each([
    [["}", "handlers {"], `${D}[0] must not close a block it did not open: drbd.conf would read this '}' as the end of the block the lines are written in, got "}"`],
    [["max-buffers 8000"], `${D}[0] must end its statement with ';': drbdadm would read the next line of the file as part of it, got "max-buffers 8000"`],
    [["max-buffers 8000 }"], `${D}[0] must end its statement with ';' before '}': drbdadm refuses it, got "max-buffers 8000 }"`],
    [["max-buffers 8000+;"], `${D}[0] must not contain '+' outside double quotes: drbd.conf has no word with it, got "max-buffers 8000+;"`],
    [['verify-alg "sha1;'], `${D}[0] must close its double quotes on the same line, without a '\\' before the closing one: drbd.conf's quoted strings are one line, got "verify-alg \\"sha1;"`],
    [[`verify-alg ${label(129)};`], `${D}[0] must hold words of at most 128 characters: drbdadm refuses longer ones, got ${cut(`verify-alg ${label(129)};`)}`],
    [[`verify-alg "${label(256)}";`], `${D}[0] must hold quoted strings of at most 255 characters: drbdadm refuses longer ones, got ${cut(`verify-alg "${label(256)}";`)}`],
  ])("drbd: refuses %j", (ls, message) => {
    expect(drbd(ls)).toEqual([message]);
  });

  it("drbd: accepts statements, comments and quoted strings at their limits", () => {
    expect(drbd(["max-buffers 8000; # } a comment", `verify-alg ${label(128)};`, `verify-alg "${label(254)}\\"";`, "rr-conflict", "disconnect;"])).toEqual([]);
  });
});
