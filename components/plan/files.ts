// What a renderer produces: files for one host, grouped by the service that
// owns them, and the handlebars environment every template is compiled in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";

export type Service = "dsas" | "keepalived" | "ipvsadm" | "director" | "realserver" | "drbd" | "squid" | "nginx";

/** Where dsas-kit's own programs live on a host. */
export const LIBEXEC = "/usr/local/libexec/dsas";
/** The on-host program that checks, swaps, reloads and rolls back a service's files. */
export const APPLY = `${LIBEXEC}/dsas-apply`;

export interface HostFile {
  readonly service: Service;
  /** Absolute path on the host. */
  readonly path: string;
  /** Octal permission bits, e.g. "0644". Files holding a secret are "0600". */
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  readonly content: string;
  /** True when content holds a secret value: it must stay a Pulumi secret. */
  readonly secret: boolean;
  /** A command this file runs and the Debian package that has it, "COMMAND:PACKAGE". */
  readonly needs?: string;
}

/** Host name -> its files, sorted by path. */
export type RenderedStack = Record<string, HostFile[]>;

/** Looks up a secret's value by its config key name. */
export type SecretValues = (name: string) => string;

export const TEMPLATE_DIR = join(import.meta.dirname, "../../templates");

const hbs = Handlebars.create();
hbs.registerHelper("join", (items: unknown[], sep: unknown) => items.join(typeof sep === "string" ? sep : " "));
hbs.registerHelper("quote", (s: unknown) => JSON.stringify(String(s)));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<name> with `view`; strict: a missing field is an error, not an empty string. */
export function template(name: string, view: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = hbs.compile(readFileSync(join(TEMPLATE_DIR, name), "utf8"), { strict: true, noEscape: true });
    compiled.set(name, t);
  }
  return t(view);
}

export function file(service: Service, path: string, content: string, opts: Partial<Pick<HostFile, "mode" | "owner" | "group" | "secret" | "needs">> = {}): HostFile {
  const secret = opts.secret ?? false;
  return {
    service, path, content, secret, mode: opts.mode ?? (secret ? "0600" : "0644"), owner: opts.owner ?? "root", group: opts.group ?? "root",
    ...(opts.needs ? { needs: opts.needs } : {}),
  };
}

/** The form dsas-apply reads on stdin: one line per file, the content in base64. */
export function bundle(files: readonly HostFile[]): string {
  return files.map((f) => `${f.path} ${f.mode} ${f.owner} ${f.group} ${Buffer.from(f.content).toString("base64")}\n`).join("");
}
