// What the plan is made of: files for one host, the handlebars environment
// every config template is compiled in, the on-host programs of provider/libexec/, and
// the tokens that stand for secret values until a file is deployed.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Handlebars from "handlebars";

/** Where dsas-kit's own programs live on a host. */
export const LIBEXEC = "/usr/local/libexec/dsas";

/** The folder holding package.json, templates/ and provider/libexec/, from the sources or from an installed package. */
export const PACKAGE_ROOT = (() => {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "templates")) && existsSync(join(dir, "provider/libexec")) && existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error(`dsas-kit: no package root with templates/ and provider/libexec/ above ${import.meta.dirname}`);
})();

export interface HostFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** Octal permission bits, e.g. "0644". Files holding a secret are "0600". */
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  /** The text, with a secret token (secretToken) where a secret's value goes. */
  readonly content: string;
  /** True when content holds a secret: it stays a Pulumi secret. */
  readonly secret: boolean;
  /** A command this file runs and the Debian package that has it, "COMMAND:PACKAGE". */
  readonly needs?: string;
}

const hbs = Handlebars.create();
hbs.registerHelper("join", (items: unknown[], sep: unknown) => items.join(typeof sep === "string" ? sep : " "));
hbs.registerHelper("quote", (s: unknown) => JSON.stringify(String(s)));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<name> with `view`; strict: a missing field is an error, not an empty string. */
export function template(name: string, view: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = hbs.compile(readFileSync(join(PACKAGE_ROOT, "templates", name), "utf8"), { strict: true, noEscape: true });
    compiled.set(name, t);
  }
  return t(view);
}

const programs = new Map<string, string>();

/** An on-host program of provider/libexec/, as it is. */
export function program(name: string): string {
  let text = programs.get(name);
  if (text === undefined) programs.set(name, text = readFileSync(join(PACKAGE_ROOT, "provider/libexec", name), "utf8"));
  return text;
}

/** Secret values stay out of every plan: a file holds this token where the value goes, filled in at deployment. */
export type SecretFormat = "raw" | "mysql-option";
const TOKEN = /\0dsas-secret:([A-Za-z][A-Za-z0-9_.-]*):(raw|mysql-option)\0/g;

export function secretToken(name: string, format: SecretFormat = "raw"): string {
  return `\0dsas-secret:${name}:${format}\0`;
}

/** The secrets a text refers to. */
export function secretNames(content: string): string[] {
  return [...new Set([...content.matchAll(TOKEN)].map((m) => m[1]))].sort();
}

// How a value is written where the file needs it quoted.
const FORMATS: Record<SecretFormat, (v: string) => string> = {
  raw: (v) => v,
  "mysql-option": (v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
};

/** The text with each token replaced by its secret's value. */
export function fill(content: string, value: (name: string) => string): string {
  return content.replace(TOKEN, (_, name: string, format: SecretFormat) => FORMATS[format](value(name)));
}

export function file(path: string, content: string, opts: Partial<Pick<HostFile, "mode" | "owner" | "group" | "needs">> = {}): HostFile {
  const secret = secretNames(content).length > 0;
  const mode = opts.mode ?? (secret ? "0600" : "0644");
  if (secret && !/^0[0-7]00$/.test(mode)) throw new Error(`${path} holds a secret, so only its owner may read it, not mode ${mode}`);
  return {
    path, content, secret, mode, owner: opts.owner ?? "root", group: opts.group ?? "root",
    ...(opts.needs ? { needs: opts.needs } : {}),
  };
}
