// Golden files: test/golden/<set>/<host>/<absolute path>. UPDATE_GOLDEN=1
// rewrites them; otherwise the rendered text must match byte for byte.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import type { HostFile } from "../../components/plan/files.ts";
import { ROOT } from "./example.ts";

export function expectGolden(set: string, host: string, f: HostFile): void {
  const path = join(ROOT, "test/golden", set, host, f.path);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  expect(f.content, `${host}:${f.path} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, "utf8"));
}
