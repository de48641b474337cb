import { defineConfig } from "vitest/config";
import SummaryReporter from "./test/helpers/summary-reporter.ts";

// Tiers: unit needs neither root nor VMs (`npm run test:unit`); host runs the
// daemons' own checkers in namespaces (root); engine runs the real Pulumi
// engine; lab runs on the lab's VMs, booted once for all its files
// (test/helpers/lab-setup.ts), and goes last, one file at a time.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", new SummaryReporter()],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/model/**/*.test.ts", "test/plan/**/*.test.ts", "test/cli/**/*.test.ts"] } },
      { extends: true, test: { name: "host", include: ["test/services/**/*.test.ts"] } },
      { extends: true, test: { name: "engine", include: ["test/engine/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "lab",
          include: ["test/lab/**/*.test.ts"],
          globalSetup: ["test/helpers/lab-setup.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
