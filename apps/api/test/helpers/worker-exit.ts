import { writeSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";

/**
 * Set up in every Node.js project's worker: a worker process that ends while a test runs writes
 * why to its stderr before it goes, so the runner's bare "Worker exited unexpectedly" comes with
 * the exit code, the test that was running, the worker's memory and the stack that called
 * `process.exit` (or the event loop's end, when nothing kept the process alive). A worker that
 * the runner stops ends by a signal and writes nothing; one killed by a signal of another kind
 * (SIGKILL, SIGSEGV) cannot write, and its silence says so.
 */
const REGISTERED = Symbol.for("ensign.test.worker-exit-report");
const state = globalThis as { [REGISTERED]?: { running: string | null } };

if (!state[REGISTERED]) {
  const report = { running: null as string | null };
  state[REGISTERED] = report;
  process.on("exit", (code) => {
    if (report.running === null) return;
    const { rss, heapUsed } = process.memoryUsage();
    const megabytes = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
    writeSync(
      2,
      `\n[worker ${process.pid}] exiting with code ${code} while "${report.running}" ran ` +
        `(rss ${megabytes(rss)}, heap ${megabytes(heapUsed)})\n${new Error("exit").stack ?? ""}\n`,
    );
  });
}

const report = state[REGISTERED];
beforeAll(() => {
  report.running = `${expect.getState().testPath ?? "a test file"} (its beforeAll)`;
});
beforeEach((context) => {
  report.running = `${context.task.file.name} > ${context.task.name}`;
});
afterEach((context) => {
  report.running = `${context.task.file.name} (between tests)`;
});
afterAll(() => {
  report.running = null;
});
