import { defineConfig } from "vitest/config";

/**
 * The fault suite: two API replicas as their own processes, under load from a third, while
 * Redis, PostgreSQL and the replicas themselves fail. Apart from the other projects (it takes
 * a minute and needs the whole machine: starved of CPU, writes during the Redis outage time
 * out) and run by `pnpm test:faults`.
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
