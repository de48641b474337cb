import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceMarkdown } from "../../components/model/reference.ts";
import { ROOT } from "../helpers/example.ts";

describe("the stack reference", () => {
  const reference = referenceMarkdown();

  it("is the one in docs/ (regenerate: node bin/dsas.ts reference > docs/reference.md)", () => {
    expect(readFileSync(join(ROOT, "docs/reference.md"), "utf8")).toBe(reference);
  });

  it("documents every key with its type and default from the schema", () => {
    const rows = reference.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.filter((r) => r.endsWith("|  |"))).toEqual([]);
    expect(reference).toContain("| `directorPairs.<name>.instances.<name>.priority.master` | integer 1..254 | `150` | Priority on the intended master. |");
    expect(reference).toContain("| `drbdPairs.<name>.protocol` | `\"A\"`, `\"B\"`, `\"C\"` | `\"C\"` | C is synchronous: no acknowledged write is lost. |");
    expect(reference).toContain("| `pools.<name>.checks[MYSQL_REPLICATION].maxLagSeconds` | integer 0..86400 | `30` |");
  });
});
