// Every string field of the zod schema, by its place: `hosts.<key>` is a map's
// key, `hosts.<name>.ssh.user` a field of each entry, `[]` an element of a
// list, `checks[HTTP_GET/SSL_GET].path` a field of one kind of check. A schema
// type the walk does not know fails it, so no field can hide from it.
import type { z } from "zod";
import { topology } from "../../components/model/schema.ts";

export interface StringField {
  readonly place: string;
  /** The string schema itself, which records its contexts. */
  readonly schema: z.ZodType;
  /** What the place takes as a whole: the string, or the union it is one branch of ("internal" or a path). */
  readonly field: z.ZodType;
}

type Def = { type: string; [k: string]: any };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

export function stringFields(root: z.ZodType = topology): StringField[] {
  const out: StringField[] = [];
  const walk = (s: z.ZodType, place: string, field: z.ZodType = s): void => {
    const def = defOf(s);
    switch (def.type) {
      case "string":
        out.push({ place, schema: s, field });
        return;
      case "object":
        for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(v, place ? `${place}.${k}` : k);
        return;
      case "record":
        walk(def.keyType, `${place}.<key>`);
        walk(def.valueType, `${place}.<name>`);
        return;
      case "array":
        walk(def.element, `${place}[]`);
        return;
      case "optional": case "default": case "prefault": case "nullable": case "readonly":
        walk(def.innerType, place);
        return;
      case "pipe":
        walk(def.in, place);
        walk(def.out, place);
        return;
      case "union":
        for (const option of def.options as z.ZodType[]) {
          const kind = defOf(option).type === "object" ? defOf(option).shape.type : undefined;
          if (!kind) { walk(option, place, s); continue; }
          const k = defOf(kind);
          const name = k.type === "literal" ? k.values.join("/") : Object.keys(k.entries).join("/");
          walk(option, `${place.replace(/\[\]$/, "")}[${name}]`);
        }
        return;
      case "number": case "boolean": case "literal": case "enum": case "transform":
        return;
      default:
        throw new Error(`${place}: the walk does not know zod type '${def.type}'`);
    }
  };
  walk(root, "");
  return out;
}
