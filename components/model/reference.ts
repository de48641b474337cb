// The stack reference (docs/reference.md), generated from the zod schema so the
// documented keys, types, defaults and descriptions cannot drift from the code.
import { z } from "zod";
import { topology } from "./schema.ts";

type Schema = {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  required?: string[];
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function typeOf(s: Schema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(", ");
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeOf).join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (s.type === "object" && s.properties?.secret && Object.keys(s.properties).length === 1) return "secret reference";
  const range = s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}..${s.maximum}` : "";
  return `${s.type ?? "any"}${range}`;
}

function rows(s: Schema, path: string, required: boolean, out: string[]): void {
  const isMap = s.type === "object" && typeof s.additionalProperties === "object";
  const isRecordOfObjects = isMap && (s.additionalProperties as Schema).type === "object";
  const isObject = s.type === "object" && s.properties && !(s.properties.secret && Object.keys(s.properties).length === 1);
  const variants = (s.oneOf ?? s.anyOf ?? []).filter((v) => v.properties?.type?.const !== undefined);
  const dflt = s.default === undefined ? (required ? "required" : "-") : `\`${JSON.stringify(s.default)}\``;
  const checkKinds = (s.items?.oneOf ?? s.items?.anyOf ?? []).map((v) => v.properties?.type?.const ?? v.properties?.type?.enum?.join(", "));
  const type = isMap ? `map of ${isRecordOfObjects ? "name to settings" : typeOf(s.additionalProperties as Schema)}`
    : isObject ? "settings" : checkKinds.length ? `list of: ${checkKinds.join(", ")}` : variants.length ? "one of the kinds below" : typeOf(s);
  // A "<name>" or "[]" row would only repeat its map's or list's row.
  if (path && !path.endsWith(".<name>") && !path.endsWith("[]")) out.push(`| \`${path}\` | ${cell(type)} | ${cell(dflt)} | ${cell(s.description ?? "")} |`);
  if (isRecordOfObjects) rows({ ...(s.additionalProperties as Schema), description: undefined }, `${path}.<name>`, false, out);
  if (isObject) {
    for (const [k, v] of Object.entries(s.properties!)) rows(v, path ? `${path}.${k}` : k, s.required?.includes(k) ?? false, out);
  }
  if (s.type === "array" && s.items?.type === "object") rows({ ...s.items, description: undefined }, `${path}[]`, false, out);
  if (s.type === "array" && s.items && (s.items.oneOf ?? s.items.anyOf)) {
    for (const v of s.items.oneOf ?? s.items.anyOf ?? []) {
      const kind = v.properties?.type?.const ?? v.properties?.type?.enum?.join("/");
      for (const [k, p] of Object.entries(v.properties ?? {})) {
        if (k !== "type") rows(p, `${path}[${kind}].${k}`, v.required?.includes(k) ?? false, out);
      }
    }
  }
}

export function referenceMarkdown(): string {
  const schema = z.toJSONSchema(topology, { io: "input", unrepresentable: "any" }) as Schema;
  const out = [
    "# Stack reference",
    "",
    "Every key of `dsas:topology` in a `Pulumi.<stack>.yaml`, generated from the schema",
    "(`dsas reference`). `<name>` stands for a name you choose. Secret references name",
    "another config key of the stack, set with `pulumi config set --secret`.",
    "",
    "| Key | Type | Default | Description |",
    "| --- | --- | --- | --- |",
  ];
  rows(schema, "", true, out);
  return `${out.join("\n")}\n`;
}
