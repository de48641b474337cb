// The lab tier's global set-up: its test files share one booted lab (each
// file's beforeAll runs `lab up` for its hosts, which boots only what is not
// running, or waits for a boot already under way); at the end every guest is
// stopped, unless DSAS_LAB_KEEP=1 (a developer's next run then boots nothing).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./example.ts";

export function setup(): () => void {
  return () => {
    if (process.env.DSAS_LAB_KEEP === "1") return;
    spawnSync(process.execPath, [join(ROOT, "lab/lab.ts"), "down"], { stdio: "inherit" });
  };
}
