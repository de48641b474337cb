// Rendered files read back the way their daemons read them, written from the
// daemons' sources independently of model/text.ts, so the property tests can
// tell whether a value the model let through comes back as it went in:
// keepalived 2.2 (lib/parser.c: read_line, decomment, alloc_strvec_r), nginx
// (ngx_conf_read_token), squid 5 (parseOneConfigFile) and drbd-utils 9.22
// (drbdadm_scanner.fl). Each gives statements as lists of words.

/** Work on bytes, as the daemons do: each char of a latin1 string is one byte. */
const toBytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
const fromBytes = (s: string) => Buffer.from(s, "latin1").toString("utf8");

/** A word keepalived would replace with a definition ($NAME, ${NAME}) is marked so it never reads back. */
const SUBSTITUTED = "\u0000substituted";

function decomment(line: string): { text: string; cont: boolean } {
  const s = [...line.replace(/^[ \t]+/, "")];
  let quote = false, cont = false, skip = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') { if (skip < 0) quote = !quote; continue; }
    if (c === "\\") {
      if (i + 1 < s.length) {
        if (!quote && (s[i + 1] === "#" || s[i + 1] === "!")) s.splice(i, 1);
        else i++;
        continue;
      }
      s.length = i;
      cont = true;
      break;
    }
    if (!quote && skip < 0 && (c === "!" || c === "#")) skip = i;
  }
  if (skip >= 0 && skip < s.length) s.length = skip;
  return { text: s.join("").replace(/[ \t]+$/, ""), cont };
}

function strvec(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && " \t\f\n\r\v".includes(line[i])) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) { words.push(`${line.slice(i)}\u0000unterminated`); break; }
      words.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !' \t\f\n\r\v"'.includes(line[j])) j++;
      words.push(line.slice(i, j));
      i = j;
    }
  }
  return words;
}

/** keepalived.conf's statements: lines of at most 1023 bytes, comments dropped, braces split off, words as keepalived splits them. */
export function keepalivedStatements(text: string): string[][] {
  const physical: string[] = [];
  for (const l of toBytes(text).split("\n")) {
    // fgets(buf, 1024): a longer line comes in pieces of 1023 bytes.
    let rest = l;
    while (rest.length >= 1023) { physical.push(rest.slice(0, 1023)); rest = rest.slice(1023); }
    physical.push(rest);
  }
  const out: string[][] = [];
  let pending = "";
  for (const raw of physical) {
    const { text: t, cont } = decomment(raw.replace(/[\r\n]+$/, ""));
    if (cont) { pending += t.slice(0, -1); continue; }
    let line = pending + t;
    pending = "";
    if (!line) continue;
    // keepalived replaces $NAME and ${NAME} where a definition exists (_INSTANCE and _RANDOM always do).
    line = line.replace(/\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/g, SUBSTITUTED);
    // A '{' or '}' outside "" ends the line; the rest is read as the next one.
    while (line) {
      let p = 0;
      let at = -1;
      if (line[0] === "{" || line[0] === "}") at = 0;
      else {
        while (p < line.length) {
          const c = line[p];
          if (c === '"') { const e = line.indexOf('"', p + 1); if (e < 0) break; p = e + 1; continue; }
          if (c === "{" || c === "}") { at = p; break; }
          p++;
        }
      }
      if (at < 0) { out.push(strvec(line).map(fromBytes)); break; }
      const head = at === 0 ? line[0] : line.slice(0, at);
      out.push(strvec(head).map(fromBytes));
      line = (at === 0 ? line.slice(1) : line.slice(at)).replace(/^[ \t]+/, "");
    }
  }
  return out.filter((w) => w.length);
}

/** keepalived splits a script's quoted string into words again: at spaces outside single or double quotes, with escapes. */
export function keepalivedArgv(command: string): string[] {
  const words: string[] = [];
  let cur = "", quote = "", inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === "\\") { cur += command[++i] ?? ""; inWord = true; continue; }
    if (quote) { if (c === quote) quote = ""; else cur += c; continue; }
    if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
    if (c === " " || c === "\t") { if (inWord) words.push(cur); cur = ""; inWord = false; continue; }
    cur += c;
    inWord = true;
  }
  if (quote) return [`${command}\u0000unterminated`];
  if (inWord) words.push(cur);
  return words;
}

/** nginx.conf's directives, each with its words unescaped as nginx does; a block's '{' and '}' are statements of their own. */
export function nginxStatements(text: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = "";
  let state: "space" | "word" | "dq" | "sq" | "after-quote" | "comment" = "space";
  const unescape = (w: string) => w.replace(/\\(["'\\tnr])/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r" } as Record<string, string>)[c] ?? c);
  const end = (w: string) => { words.push(unescape(w)); word = ""; };
  const s = toBytes(text);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (state === "comment") { if (c === "\n") state = "space"; continue; }
    if (state === "after-quote") {
      if (" \t\r\n".includes(c)) { state = "space"; continue; }
      if (c === ";") { out.push(words.map(fromBytes)); words = []; state = "space"; continue; }
      if (c === "{") { out.push(words.map(fromBytes), ["{"]); words = []; state = "space"; continue; }
      return [...out, ["\u0000error", `unexpected ${c}`]];
    }
    if (state === "dq" || state === "sq") {
      if (c === "\\") { word += c + (s[++i] ?? ""); continue; }
      if (c === (state === "dq" ? '"' : "'")) { end(word); state = "after-quote"; continue; }
      word += c;
      continue;
    }
    if (state === "space") {
      if (" \t\r\n".includes(c)) continue;
      if (c === ";" || c === "{") {
        if (!words.length) return [...out, ["\u0000error", `unexpected ${c}`]];
        out.push(words.map(fromBytes));
        if (c === "{") out.push(["{"]);
        words = [];
        continue;
      }
      if (c === "}") {
        if (words.length) return [...out, ["\u0000error", "unexpected }"]];
        out.push(["}"]);
        continue;
      }
      if (c === "#") { state = "comment"; continue; }
      if (c === '"') { state = "dq"; continue; }
      if (c === "'") { state = "sq"; continue; }
      state = "word";
    }
    // In a word: '\' escapes, "${" is a variable, space ';' '{' end it; '}' and quotes are plain.
    if (c === "\\") { word += c + (s[++i] ?? ""); continue; }
    if (c === "$" && s[i + 1] === "{") { word += "${"; i++; continue; }
    if (" \t\r\n;{".includes(c)) {
      end(word);
      state = "space";
      if (c === ";" || c === "{") { out.push(words.map(fromBytes)); if (c === "{") out.push(["{"]); words = []; }
      continue;
    }
    word += c;
  }
  return out;
}

/** squid.conf's directive lines as squid reads them: comments dropped, '\'-continued lines joined, macros marked, words split at spaces. */
export function squidStatements(text: string): string[][] {
  const out: string[][] = [];
  let pending = "";
  for (const raw of toBytes(text).split("\n")) {
    // fgets(config_input_line, BUFSIZ): a longer line comes in pieces.
    for (let rest = raw; ; rest = rest.slice(8191)) {
      const piece = rest.slice(0, 8191).split("\r")[0].replace(/^[ \t]+/, "");
      if (!(piece.startsWith("#") || piece === "")) {
        const line = pending + (pending ? piece.replace(/^[ \t]+/, "") : piece);
        if (line.endsWith("\\")) pending = line.slice(0, -1);
        else {
          pending = "";
          out.push(line.replace(/\$\{[^}]*\}/g, SUBSTITUTED).trim().split(/[ \t]+/).map(fromBytes));
        }
      }
      if (rest.length <= 8191) break;
    }
  }
  return out;
}

/** The words squid's `-k parse` says it processed ("Processing: LINE"), as squid itself read them. */
export function squidProcessed(output: string): string[][] {
  return output.split("\n").flatMap((l) => {
    // Not ".", which stops at U+2028: squid reads that as any other byte.
    const m = /\| Processing: ([^\n]*)$/.exec(l);
    return m ? [m[1].trim().split(/[ \t]+/)] : [];
  });
}

/** drbd.conf's statements: comments dropped, quoted strings unescaped, split at ';', '{' and '}' (kept as statements). */
export function drbdStatements(text: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  const s = toBytes(text);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (" \t\r\n".includes(c)) continue;
    if (c === "#") { while (i < s.length && s[i] !== "\n") i++; continue; }
    if (c === ";" || c === "{" || c === "}") {
      if (words.length) out.push(words.map(fromBytes));
      if (c !== ";") out.push([c]);
      words = [];
      continue;
    }
    if (c === '"') {
      let w = "";
      for (i++; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === "\n") return [...out, ["\u0000error", "line break in a quoted string"]];
        if (s[i] === "\\") i++;
        w += s[i];
      }
      words.push(w);
      continue;
    }
    // Words of letters, digits and /._- ; ':' ends one (address:port), and any other byte is not in drbd.conf's lexicon.
    const m = /^[A-Za-z0-9/._-]+/.exec(s.slice(i));
    if (m) { words.push(m[0]); i += m[0].length - 1; continue; }
    if (":[]".includes(c)) { words.push(c); continue; }
    return [...out, ["\u0000error", `unexpected ${c}`]];
  }
  if (words.length) out.push(words.map(fromBytes));
  return out;
}

/** The second word of every statement whose first word is `keyword`. */
export const argsOf = (statements: readonly string[][], keyword: string, at = 1): string[] =>
  statements.filter((w) => w[0] === keyword).map((w) => w[at]);
