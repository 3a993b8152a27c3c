import { defineConfig } from "vitest/config";

/**
 * The fault suite: two API replicas as their own processes, under load from a third, while
 * Redis, PostgreSQL and the replicas themselves fail. Apart from the other projects, so its
 * replicas never share the machine with vitest's workers: run by `pnpm test:faults`, and in
 * `pnpm test` beside type-checking and lint, which fill the time it spends waiting out outages.
 */
export default defineConfig({
  test: {
    name: "faults",
    root: new URL("../../../../", import.meta.url).pathname,
    environment: "node",
    include: ["apps/api/test/faults/**/*.fault.test.ts"],
    globalSetup: ["apps/api/test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
