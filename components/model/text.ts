// What a stack string may hold, decided by where it is written. Every string
// field of the schema is built here from the contexts its value lands in (a
// word of keepalived.conf, a quoted keepalived string, an nginx token, a shell
// word, a file path, a host name ...), each of which knows what its daemon
// reads specially. A value that one of them cannot hold as it is, is refused
// with the reason; nothing is escaped or cut into a different value. The rules
// follow the daemons' own readers: keepalived 2.2's lib/parser.c, nginx's
// ngx_conf_read_token, squid 5's parseOneConfigFile and drbd-utils 9.22's
// drbdadm_scanner.fl (the 8.4 and 9 ones agree on what is used here).
import { z } from "zod";
import { isIPv4, parseCidr } from "./net.ts";

/** A place a value is written, and what it cannot hold there. */
export interface Context {
  readonly name: string;
  /** Why `value` cannot be written here, as it follows the field path ("must ..."); undefined when it can. */
  readonly problem: (value: string) => string | undefined;
}

const bytes = (s: string) => Buffer.byteLength(s);

function charName(c: string): string {
  const named: Record<string, string> = { "\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\0": "a NUL character", " ": "a space", "'": "a single quote (')", '"': 'a double quote (")' };
  if (named[c]) return named[c];
  const code = c.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? `a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")})` : `'${c}'`;
}

const CONTROL = /\p{Cc}/u;

/** A context that refuses characters, each class with its reason, and values longer than `maxBytes`. */
function chars(name: string, rules: readonly [RegExp, string][], maxBytes?: [number, string]): Context {
  return {
    name,
    problem(v) {
      for (const c of v) {
        const rule = rules.find(([re]) => re.test(c));
        if (rule) return `must not contain ${charName(c)}: ${rule[1]}`;
      }
      if (maxBytes && bytes(v) > maxBytes[0]) return `must be at most ${maxBytes[0]} bytes: ${maxBytes[1]}, got ${bytes(v)} bytes`;
      return undefined;
    },
  };
}

/** A context that is a format: `test` passes or the value "must be" `what`. */
function format(name: string, what: string, test: (v: string) => boolean): Context {
  return { name, problem: (v) => (test(v) ? undefined : `must be ${what}`) };
}

// keepalived reads its files in lines of at most 1023 bytes (fgets into
// MAXBUF): a longer one goes on as a line of its own. A value shares its line
// with the keyword and indentation (24 bytes before a MISC_CHECK's command);
// an extraConfig line has 4 spaces before it.
const KEEPALIVED_MAX: [number, string] = [960, "keepalived reads lines of at most 1023 bytes, the keyword and indentation before the value included"];
const KEEPALIVED_LINE_MAX: [number, string] = [1000, "keepalived reads lines of at most 1023 bytes and starts a new line after that"];
const KEEPALIVED_ONE_LINE: [RegExp, string] = [CONTROL, "keepalived.conf holds it on one line of printable text"];
const KEEPALIVED_QUOTING: [RegExp, string][] = [
  [/\\/, "keepalived reads a backslash as an escape"],
  [/\$/, "keepalived replaces $NAME and ${NAME} with the value of a definition"],
];

const keepalivedWord = chars("keepalived word", [
  [/[ \t]/, "keepalived reads it as the end of a word"],
  KEEPALIVED_ONE_LINE,
  [/"/, "keepalived reads a double quote as the start of a quoted string"],
  [/[#!]/, "keepalived reads the rest of the line as a comment"],
  [/[{}]/, "keepalived reads it as the start or end of a block"],
  ...KEEPALIVED_QUOTING,
], KEEPALIVED_MAX);

const keepalivedString = chars("keepalived quoted string", [
  KEEPALIVED_ONE_LINE,
  [/"/, "it would end keepalived's quoted string"],
  ...KEEPALIVED_QUOTING,
], KEEPALIVED_MAX);

// keepalived runs a script without a shell: it splits the quoted string into
// words itself, at spaces outside single quotes, and refuses an unclosed one.
const keepalivedCommand: Context = {
  name: "keepalived command",
  problem(v) {
    if (v.trim() === "") return "must name the program to run";
    const p = keepalivedString.problem(v);
    if (p) return p;
    if ((v.match(/'/g) ?? []).length % 2) return "must close every single quote: keepalived splits the command into words at spaces outside single quotes, and refuses an unclosed one";
    return undefined;
  },
};

const nginxWord = chars("nginx word", [
  [/[ \t]/, "nginx reads it as the end of a word"],
  [CONTROL, "nginx.conf holds it on one line of printable text"],
  [/[;{}]/, "nginx reads it as the end of a directive or the start or end of a block"],
  [/["'\\]/, "nginx reads it as quoting"],
  [/#/, "nginx reads the rest of the line as a comment"],
  [/\$/, "nginx reads $NAME as a variable"],
]);

const squidWord = chars("squid word", [
  [/[ \t]/, "squid reads it as the end of a word"],
  [CONTROL, "squid.conf holds it on one line of printable text"],
  [/["'\\]/, "squid reads it as quoting"],
  [/#/, "squid reads it as the start of a comment"],
  [/\$/, "squid replaces ${NAME} macros"],
]);

// Words drbd.conf's scanner reads as its own keywords, not as a name.
const DRBD_KEYWORDS = new Set(`_is_standalone _peer_node_id _remote_host _this_host address after after-resync-target after-sb-0pri
after-sb-1pri after-sb-2pri al-extents al-updates allow-two-primaries alternate-link-address always-asbp ask become-primary-on
before-resync-source before-resync-target bwlimit c-delay-target c-fill-target c-max-rate c-min-rate c-plan-ahead cmd-timeout-long
cmd-timeout-medium cmd-timeout-short common compression congestion-extents congestion-fill connect-int connection connection-mesh
cpu-mask cram-hmac-alg csums-after-crash-only csums-alg data-integrity-alg degr-wfc-timeout delay-probe-interval delay-probe-volume
device dialog-refresh disable-ip-verification disable-write-same discard-my-data discard-zeroes-if-aligned disk disk-barrier
disk-drain disk-flushes disk-timeout fence-peer fencing flexible-meta-disk floating global handlers hold-off-threshold host hosts
ignore-on include initial-split-brain inside ipv4 ipv6 ko-count local-io-error max-bio-bvecs max-buffers max-epoch-size md-flushes
memlimit meta-disk minor minor-count net no no-disk-barrier no-disk-drain no-disk-flushes no-md-flushes no-tcp-cork node-id on
on-congestion on-io-error on-no-data-accessible options out-of-sync outdate-peer outdated-wfc-timeout outside path ping-int
ping-timeout plugin port pri-lost pri-lost-after-sb pri-on-incon-degr protocol proxy rate rcvbuf-size read-balancing read-loops
require-drbd-module-version-eq require-drbd-module-version-ge require-drbd-module-version-gt require-drbd-module-version-le
require-drbd-module-version-lt require-drbd-module-version-ne resource resync-after resync-rate rr-conflict rs-discard-granularity
sci sdp shared-secret size skip sndbuf-size socket-check-timeout split-brain ssocks stacked-on-top-of stacked-timeouts startup
syncer tcp-cork template-file throttle-threshold timeout udev-always-use-vnr unfence-peer unplug-watermark usage-count use-bmbv
use-rle verify-alg via void volume wait-after-sb wfc-timeout yes`.split(/\s+/));

// drbd.conf's unquoted words are only these characters, at most 128 of them.
const DRBD_WORD = /^[A-Za-z0-9/._-]{1,128}$/;
const drbdWord: Context = {
  name: "DRBD word",
  problem(v) {
    if (!DRBD_WORD.test(v)) return "must be 1..128 letters, digits, '/', '.', '_' or '-': the only unquoted words drbd.conf has";
    if (DRBD_KEYWORDS.has(v)) return `must not be '${v}', which drbd.conf reads as its own keyword`;
    return undefined;
  },
};

const DRBD_QUOTED_MAX = 255;

// resync-rate counts KiB/s (a bare number too), 1..4194304 (drbd_limits.h).
const RATE_UNITS: Record<string, number> = { "": 1, K: 1, M: 1024, G: 1024 * 1024 };
const drbdRate = format("DRBD rate", "a rate of 1K to 4G (DRBD takes 1..4194304 KiB/s) such as 100M: digits, then K, M or G", (v) => {
  const m = /^(\d{1,8})([KMG]?)$/.exec(v);
  const k = m ? Number(m[1]) * RATE_UNITS[m[2]] : 0;
  return k >= 1 && k <= 4194304;
});

const shellWord = format("shell word",
  "letters, digits and @%+=:,./_- only, not starting with '-': it is a word of a shell command, where other characters are special and a leading '-' is an option",
  (v) => /^[A-Za-z0-9@%+=:,./_][A-Za-z0-9@%+=:,./_-]*$/.test(v));

// One name of a path (the model's names become file names such as r0.res).
const fileName = format("file name", "a file name: not empty, '.' or '..', without '/', at most 200 bytes",
  (v) => v !== "" && v !== "." && v !== ".." && !v.includes("/") && !CONTROL.test(v) && bytes(v) <= 200);

const PATH_NAME = /^[A-Za-z0-9._+@:-]{1,255}$/;
const filePath = format("file path",
  "an absolute path: '/' and names of letters, digits, '.', '_', '-', '+', '@' or ':' (at most 255 each, 4095 in all), without '.', '..' or empty names",
  (v) => v.startsWith("/") && v.length > 1 && bytes(v) <= 4095 && v.slice(1).split("/").every((n) => PATH_NAME.test(n) && n !== "." && n !== ".."));

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const isHostName = (v: string) => {
  const labels = v.split(".");
  // A name whose last label is a number reads as an address: it must be one.
  if (/^\d+$/.test(labels[labels.length - 1])) return isIPv4(v);
  return v.length <= 253 && labels.every((l) => LABEL.test(l));
};
const hostName = format("host name",
  "a host name or IPv4 address: labels of 1..63 letters, digits and '-' (not at either end) separated by '.', at most 253 in all",
  isHostName);

// drbdadm finds a node's section by the machine's own name (uname -n), which
// hostname(1) and hostnamectl only set to a host name.
const machineName = format("machine name",
  "the machine's own name, as uname -n gives it and drbdadm finds the node's section by: labels of letters, digits and '-' (not at either end) separated by '.'",
  (v) => isHostName(v) && !isIPv4(v));

// RFC 3986: a path of pchar and '/', then an optional query; '%' only as an escape.
const urlPath = format("URL path",
  "a URL path: '/' then letters, digits and -._~!$&'()*+,;=:@/, '%' only before two hex digits, and an optional '?' query of the same and '?'",
  (v) => /^\/([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/.test(v));

const httpHeaderValue = format("HTTP header value",
  "an HTTP header value: printable ASCII and spaces, not starting or ending with a space (HTTP drops those)",
  (v) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(v));

const userName = format("user name",
  "a user name: a lower-case letter or '_', then lower-case letters, digits, '_' or '-', at most 32 in all",
  (v) => /^[a-z_][a-z0-9_-]{0,31}$/.test(v));

// The kernel's IFNAMSIZ is 16 bytes with the terminating NUL.
const interfaceName: Context = {
  name: "interface name",
  problem: (v) => (bytes(v) <= 15 ? undefined : `must be at most 15 characters, the longest interface name Linux has, got ${bytes(v)}`),
};

// A MySQL option file value, unquoted: '#' starts a comment, quotes and
// backslashes are read specially, spaces at either end are dropped.
const mysqlOptionValue = format("MySQL option value",
  "a MySQL option file value: printable ASCII without quotes, backslashes or '#', not starting or ending with a space",
  (v) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(v) && !/["'\\#]/.test(v));

const ipv4 = format("IPv4 address", "an IPv4 address such as 10.10.31.100", isIPv4);
const cidr = format("IPv4 address with prefix", "an IPv4 address with prefix length, such as 10.10.31.11/24", (v) => parseCidr(v) !== undefined);

// nginx's server_name: a host name, a wildcard at either end, or the
// catch-all '_'. Regular expressions (~...) are not offered.
const nginxServerName = format("nginx server name",
  "a server name: a host name, '*.' or '.' before one, '.*' after one, or '_' for any",
  (v) => v === "_" || isHostName(v.replace(/^\*\.|^\./, "").replace(/\.\*$/, "")) && !/^\*\..*\.\*$/.test(v));

/** Every place a stack value is written, by name: the schema's fields list theirs. */
export const CONTEXTS = {
  keepalivedWord, keepalivedString, keepalivedCommand, nginxWord, squidWord, drbdWord, shellWord, fileName, filePath,
  drbdRate, hostName, machineName, urlPath, httpHeaderValue, userName, interfaceName, mysqlOptionValue, ipv4, cidr, nginxServerName,
} as const satisfies Record<string, Context>;
export type ContextName = keyof typeof CONTEXTS;

/** What the schema records on each string field, for the test that every one has a rule and for the reference. */
export interface TextMeta {
  readonly contexts: readonly string[];
}
export const textRegistry = z.registry<TextMeta>();

/** The contexts recorded on a string schema, or undefined for a string that has none. */
export function contextsOf(schema: z.ZodType): readonly string[] | undefined {
  return textRegistry.get(schema)?.contexts;
}

// Every value must be text UTF-8 can hold: a lone surrogate would be written as U+FFFD.
const isWellFormed = (v: string) => !/\p{Cs}/u.test(v);
const WELL_FORMED = "must be valid Unicode text (it holds a lone surrogate, which UTF-8 cannot write)";

function problemOf(v: string, contexts: readonly Context[]): string | undefined {
  if (!isWellFormed(v)) return WELL_FORMED;
  for (const c of contexts) {
    const p = c.problem(v);
    if (p) return p;
  }
  return undefined;
}

/** A string written into each of `lands`, in this order of checks; `own` is a format of the field's own, checked first. */
export function text(lands: readonly (ContextName | Context)[], own?: Context): z.ZodString {
  const contexts = [...(own ? [own] : []), ...lands.map((l) => (typeof l === "string" ? CONTEXTS[l] : l))];
  const schema = z.string().superRefine((v, ctx) => {
    const p = problemOf(v, contexts);
    // continue: false, so the cross-field rules never see a value that cannot be written.
    if (p) ctx.addIssue({ code: "custom", message: p, input: v, continue: false });
  });
  textRegistry.add(schema, { contexts: contexts.map((c) => c.name) });
  return schema;
}

/** A format of a field's own (an MD5 digest, a DRBD device ...), with its message. */
export function pattern(name: string, re: RegExp, message: string): Context {
  return { name, problem: (v) => (re.test(v) ? undefined : message) };
}

// A name (of a host, a pool, an instance ...) is a word every file can hold
// as it is; the test of this module shows it passes each of these contexts.
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
export const NAME_CONTEXTS: readonly ContextName[] = ["keepalivedWord", "nginxWord", "squidWord", "shellWord", "fileName"];

// Names every JavaScript object already has: a reference to a host 'toString'
// would find one where the stack defines none.
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype).filter((k) => IDENTIFIER.test(k)));

/** A name: a letter, then letters, digits, '_', '.' or '-'; `lands` adds the contexts with rules of their own (DRBD keywords, interface names). */
export function name(what: string, ...lands: ContextName[]): z.ZodString {
  const own: Context = {
    name: "name",
    problem: (v) => !IDENTIFIER.test(v) ? `must be a ${what} name: a letter, then letters, digits, '_', '.' or '-' (at most 63)`
      : RESERVED.has(v) ? `must not be '${v}', a name every JavaScript object has, which dsas-kit could not tell from one the stack defines` : undefined,
  };
  return text([...NAME_CONTEXTS, ...lands], own);
}

// ---------------------------------------------------------------------------
// Lines added verbatim to a block (extraConfig): each stays one line, and the
// lines together stay inside their block: they close only blocks they open,
// close every block they open, and end their statements, as the daemon reads
// them. What a directive means is the daemon's to check, on the host.

export type Dialect = "keepalived" | "nginx" | "squid" | "drbd";

/** A problem of line `line` (an index into the lines). */
interface LineProblem {
  readonly line: number;
  readonly message: string;
}

// drbd.conf has no limit of its own on a line, only on its words (below).
const LINE_MAX: Partial<Record<Dialect, [number, string]>> = {
  keepalived: KEEPALIVED_LINE_MAX,
  // nginx reads its files in 4096-byte buffers and refuses a longer word.
  nginx: [4000, "nginx refuses a word longer than its 4096-byte buffer"],
  // squid reads lines of at most 8191 bytes (fgets into BUFSIZ).
  squid: [8000, "squid reads lines of at most 8191 bytes and starts a new line after that"],
};

const FILE: Record<Dialect, string> = { keepalived: "keepalived.conf", nginx: "nginx.conf", squid: "squid.conf", drbd: "drbd.conf" };

function lineProblem(dialect: Dialect, v: string): string | undefined {
  if (!isWellFormed(v)) return WELL_FORMED;
  for (const c of v) if (CONTROL.test(c)) return `must not contain ${charName(c)}: it is one line of ${FILE[dialect]}`;
  const [max, why] = LINE_MAX[dialect] ?? [Infinity, ""];
  if (bytes(v) > max) return `must be at most ${max} bytes: ${why}, got ${bytes(v)} bytes`;
  return undefined;
}

const UNOPENED = (file: string) => `must not close a block it did not open: ${file} would read this '}' as the end of the block the lines are written in`;
const UNCLOSED = (file: string) => `opens a block that no later line closes: ${file} would read the rest of the file inside it`;

/** Block depth of keepalived lines: braces outside double quotes and comments ('#', '!', unless escaped by '\'). */
function keepalivedLines(lines: readonly string[]): LineProblem[] {
  const problems: LineProblem[] = [];
  const open: number[] = [];
  lines.forEach((line, i) => {
    if (line.endsWith("\\")) return problems.push({ line: i, message: "must not end with '\\', which keepalived reads as joining the next line to this one" });
    // decomment() skips a quote after '\', the search for braces does not: they would disagree on where the string ends.
    if (line.includes('\\"')) return problems.push({ line: i, message: "must not have '\\' before a double quote: keepalived's readers disagree on where such a quoted string ends" });
    let quoted = false;
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (c === "\\") j++;
      else if (c === '"') quoted = !quoted;
      else if (quoted) continue;
      else if (c === "#" || c === "!") break;
      else if (c === "{") open.push(i);
      else if (c === "}" && open.pop() === undefined) return problems.push({ line: i, message: UNOPENED("keepalived.conf") });
    }
    if (quoted) problems.push({ line: i, message: "must close its double quotes: keepalived refuses a line with an unterminated quote" });
  });
  if (open.length && !problems.length) problems.push({ line: open[open.length - 1], message: UNCLOSED("keepalived.conf") });
  return problems;
}

/** nginx's ngx_conf_read_token over the lines: words, quotes, escapes, ';' and blocks. */
function nginxLines(lines: readonly string[]): LineProblem[] {
  const open: number[] = [];
  const ws = (c: string) => c === " " || c === "\t" || c === "\n";
  let lastSpace = true, needSpace = false, escaped = false, comment = false, variable = false;
  let quote = "";
  let words = 0, directive = 0;
  for (const [i, line] of lines.entries()) {
    const fail = (message: string) => [{ line: i, message }];
    const unexpected = (c: string) => fail(`must not have '${c}' there: nginx refuses it as unexpected`);
    for (const c of `${line}\n`) {
      if (c === "\n") {
        if (quote) return fail("must close its quotes on the same line: nginx would read the lines after it as part of the quoted string");
        if (escaped) return fail("must not end with '\\', which nginx reads as escaping the line break");
        comment = false;
      }
      if (comment) continue;
      if (escaped) { escaped = false; continue; }
      if (needSpace) {
        if (ws(c)) { lastSpace = true; needSpace = false; continue; }
        if (c === ";" || c === "{") {
          needSpace = false; lastSpace = true; words = 0;
          if (c === "{") open.push(i);
          continue;
        }
        if (c !== ")") return unexpected(c);
        lastSpace = true; needSpace = false;
      }
      if (lastSpace) {
        if (ws(c)) continue;
        if (c === ";" || c === "{") {
          if (words === 0) return unexpected(c);
          words = 0;
          if (c === "{") open.push(i);
          continue;
        }
        if (c === "}") {
          if (words) return unexpected(c);
          if (open.pop() === undefined) return fail(UNOPENED("nginx.conf"));
          continue;
        }
        if (c === "#") { comment = true; continue; }
        if (words === 0) directive = i;
        lastSpace = false;
        if (c === "\\") escaped = true;
        else if (c === '"' || c === "'") quote = c;
        else if (c === "$") variable = true;
        continue;
      }
      if (c === "{" && variable) continue;
      variable = false;
      if (c === "\\") { escaped = true; continue; }
      if (c === "$") { variable = true; continue; }
      let found = false;
      if (quote) {
        if (c === quote) { quote = ""; needSpace = true; found = true; }
      } else if (ws(c) || c === ";" || c === "{") {
        lastSpace = true;
        found = true;
      }
      if (found) {
        words++;
        if (c === ";" || c === "{") words = 0;
        if (c === "{") open.push(i);
      }
    }
  }
  if (open.length) return [{ line: open[open.length - 1], message: UNCLOSED("nginx.conf") }];
  if (words) return [{ line: directive, message: "must end its directive with ';': nginx would read the next line of the file as part of it" }];
  return [];
}

/** drbd.conf's scanner over the lines: comments, quoted strings, words, ';' and blocks. */
function drbdLines(lines: readonly string[]): LineProblem[] {
  const open: number[] = [];
  let pending = -1;
  for (const [i, line] of lines.entries()) {
    const fail = (message: string) => [{ line: i, message }];
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (c === " " || c === "\t") continue;
      if (c === "#") break;
      if (c === ";") { pending = -1; continue; }
      if (c === "{") { pending = -1; open.push(i); continue; }
      if (c === "}") {
        if (pending >= 0) return fail("must end its statement with ';' before '}': drbdadm refuses it");
        if (open.pop() === undefined) return fail(UNOPENED("drbd.conf"));
        continue;
      }
      pending = i;
      if ("[]:".includes(c)) continue;
      if (c === '"') {
        let k = j + 1;
        while (k < line.length && line[k] !== '"') k += line[k] === "\\" ? 2 : 1;
        if (k >= line.length) return fail("must close its double quotes on the same line, without a '\\' before the closing one: drbd.conf's quoted strings are one line");
        // The scanner counts bytes, an escape and the byte after it as one.
        const inside = line.slice(j + 1, k);
        if (bytes(inside) - (inside.match(/\\/g) ?? []).length > DRBD_QUOTED_MAX) return fail(`must hold quoted strings of at most ${DRBD_QUOTED_MAX} characters: drbdadm refuses longer ones`);
        j = k;
        continue;
      }
      const word = /^[A-Za-z0-9/._-]+/.exec(line.slice(j))?.[0];
      if (!word) return fail(`must not contain ${charName(c)} outside double quotes: drbd.conf has no word with it`);
      if (word.length > 128) return fail("must hold words of at most 128 characters: drbdadm refuses longer ones");
      j += word.length - 1;
    }
  }
  if (open.length) return [{ line: open[open.length - 1], message: UNCLOSED("drbd.conf") }];
  if (pending >= 0) return [{ line: pending, message: "must end its statement with ';': drbdadm would read the next line of the file as part of it" }];
  return [];
}

/** squid.conf has no blocks, but it joins lines ending with '\' and has if/else/endif. */
function squidLines(lines: readonly string[]): LineProblem[] {
  const open: number[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.endsWith("\\")) return [{ line: i, message: "must not end with '\\', which squid reads as joining the next line to this one" }];
    const word = line.trim().split(/\s+/)[0];
    if (word === "if") open.push(i);
    else if ((word === "else" || word === "endif") && !open.length) return [{ line: i, message: `must not have '${word}' without an 'if' in the lines before it: squid refuses it` }];
    else if (word === "endif") open.pop();
  }
  if (open.length) return [{ line: open[open.length - 1], message: "opens an 'if' that no later line closes with 'endif': squid refuses it" }];
  return [];
}

const BLOCKS: Record<Dialect, (lines: readonly string[]) => LineProblem[]> = {
  keepalived: keepalivedLines, nginx: nginxLines, squid: squidLines, drbd: drbdLines,
};

/** Lines added verbatim inside a block of `dialect`'s file. */
export function lines(dialect: Dialect) {
  const line = z.string().superRefine((v, ctx) => {
    const p = lineProblem(dialect, v);
    if (p) ctx.addIssue({ code: "custom", message: p, input: v, continue: false });
  });
  textRegistry.add(line, { contexts: [`${dialect} line`] });
  return z.array(line).superRefine((ls, ctx) => {
    if (ls.some((l) => lineProblem(dialect, l))) return; // each reported on its own line
    for (const p of BLOCKS[dialect](ls)) ctx.addIssue({ code: "custom", message: p.message, path: [p.line], input: ls[p.line], continue: false });
  });
}
