import { defineProject } from "vitest/config";

/**
 * The test projects. `unit` is pure logic; `admin` renders the admin app's components in jsdom; `integration` talks to the machine's real
 * PostgreSQL and Redis (each test file gets its own database cloned from a migrated template).
 * `sdk` and `react` test the client packages (react in jsdom).
 * `cli` builds the `ensign` bin once and runs it as a subprocess against the real API (PostgreSQL and Redis
 * as in `integration`). `packaging` packs the published packages, installs the tarballs with npm into a
 * project outside the workspace and uses them there (slow: it builds first).
 *
 * In the Node.js projects, files share their worker's module cache (`isolate: false`): a file
 * imports the API or a package once per worker instead of once per file, which made the run
 * about a third shorter. It holds because no such file changes shared module state: each builds
 * its own app, database and Redis key prefix and closes them in its own `afterAll`, nothing there
 * mocks a module, and a test that needs a fresh module instance takes one (`vi.resetModules()`).
 * The jsdom projects (`admin`, `react`) mock modules and stay isolated.
 */
const isolate = false;

/** A worker that ends while a test runs says why (see the file). */
const workerExit = "apps/api/test/helpers/worker-exit.ts";

export const projects = [
  defineProject({
    test: {
      name: "unit",
      environment: "node",
      setupFiles: [workerExit],
      isolate,
      include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "apps/api/src/**/*.test.ts"],
      exclude: ["**/*.int.test.ts", "**/node_modules/**", "packages/sdk/**", "packages/react/**"],
    },
  }),
  defineProject({
    test: {
      name: "integration",
      environment: "node",
      setupFiles: [workerExit],
      isolate,
      include: ["apps/api/src/**/*.int.test.ts", "apps/api/test/**/*.int.test.ts", "packages/sdk/**/*.int.test.ts"],
      exclude: ["**/node_modules/**"],
      globalSetup: ["apps/api/test/global-setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // expect.poll waits are deadlines against a hang, not speed checks (10 s, as HANG_GUARD_MS).
      expect: { poll: { timeout: 10_000 } },
    },
  }),
  defineProject({
    test: {
      name: "cli",
      environment: "node",
      setupFiles: [workerExit],
      isolate,
      include: ["packages/cli/**/*.int.test.ts"],
      exclude: ["**/node_modules/**"],
      globalSetup: ["apps/api/test/global-setup.ts", "packages/cli/test/build-bin.ts"],
      // Each test runs the bin a few times, a node start-up each on a loaded machine.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  }),
  defineProject({
    test: {
      name: "admin",
      environment: "jsdom",
      include: ["apps/admin/src/**/*.test.tsx"],
      setupFiles: ["apps/admin/src/testing/setup.ts"],
      css: false,
      // Waits for the UI (findBy…, waitFor, expect.poll) get 10 s before they count as a hang: the machine may be loaded.
      testTimeout: 30_000,
      expect: { poll: { timeout: 10_000 } },
    },
  }),
  defineProject({
    test: {
      name: "sdk",
      environment: "node",
      setupFiles: [workerExit],
      isolate,
      include: ["packages/sdk/**/*.test.ts", "apps/portal-demo/server/**/*.test.ts"],
      exclude: ["**/*.int.test.ts", "**/node_modules/**"],
      // Room for the tests' own 10 s deadlines (waits that normally take milliseconds) on a loaded machine.
      testTimeout: 30_000,
    },
  }),
  defineProject({
    test: {
      name: "react",
      environment: "jsdom",
      include: ["packages/react/**/*.test.{ts,tsx}", "apps/portal-demo/src/**/*.test.{ts,tsx}"],
      exclude: ["**/node_modules/**"],
      // Room for the tests' own 10 s deadlines on a loaded machine.
      testTimeout: 30_000,
    },
  }),
  defineProject({
    test: {
      name: "packaging",
      environment: "node",
      setupFiles: [workerExit],
      isolate,
      include: ["packaging/**/*.int.test.ts"],
      exclude: ["**/node_modules/**", "packaging/consumer/**"],
      globalSetup: ["apps/api/test/global-setup.ts", "packaging/global-setup.ts"],
      // Builds, npm installs and bundler runs on a loaded two-core machine: deadlines against a hang only.
      testTimeout: 300_000,
      hookTimeout: 600_000,
      expect: { poll: { timeout: 10_000 } },
    },
  }),
];
