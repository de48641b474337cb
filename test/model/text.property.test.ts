// For every string field of the schema, hostile values (metacharacters of
// every file, line breaks, unicode, very long strings) are either refused with
// the field's path, or rendered so that the value reads back unchanged where
// its daemon reads it. The host tier (test/services/text.property.test.ts) also
// has the daemons check the files. Fixed seed, bounded runs; fast-check prints
// the seed and the failing value (DSAS_PROPERTY_SEED=N runs another seed).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIELD_CASES, fullRaw, hostile, hostileLines, load, naming, readBackProblem } from "../helpers/fields.ts";
import { stringFields } from "../helpers/schema-walk.ts";

const SEED = Number(process.env.DSAS_PROPERTY_SEED ?? 20260112);
const RUNS = 40;
const fields = new Map(stringFields().map((f) => [f.place, f.field]));

describe("every string field under hostile values", () => {
  it("has a case, so no field goes untried", () => {
    expect([...fields.keys()].filter((p) => !FIELD_CASES.some((c) => c.place === p))).toEqual([]);
    expect(FIELD_CASES.filter((c) => !fields.has(c.place)).map((c) => c.place)).toEqual([]);
  });

  it("starts from a stack that is accepted", () => {
    expect(load(fullRaw())).toHaveProperty("rendered");
  });

  // Each field its own seed, so the fields do not all draw the same kinds of value in the same order.
  it.each(FIELD_CASES.map((c, i) => [c.place, c, i] as const))("%s: refused with its path, or read back unchanged", (_, c, i) => {
    const own = fields.get(c.place)!;
    const values = c.lines ? hostileLines(c) : fc.oneof(hostile(c.valid), hostile(c.valid).map((v) => (c.prefix ?? "") + v));
    fc.assert(fc.property(values, (v) => {
      const raw = fullRaw();
      c.set(raw, v);
      const out = load(raw);
      const unsafe = !own.safeParse(v).success;
      if ("refused" in out) {
        if (unsafe) expect(naming(out.refused, c.at(v)), out.refused.join("\n")).not.toEqual([]);
        return;
      }
      expect(unsafe, "accepted although the field's own rule refuses it").toBe(false);
      expect(readBackProblem(c, out.rendered, v)).toBeUndefined();
    }), { seed: SEED + i, numRuns: RUNS });
  });
});
