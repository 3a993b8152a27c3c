/**
 * How long a test waits for something that normally takes milliseconds before calling it a
 * hang. Generous on purpose: the suite asserts that things happen, never how fast (the
 * benchmarks in apps/api/bench measure that), and it must pass on a loaded machine.
 */
export const HANG_GUARD_MS = 10_000;

/** Polls `check` until it returns true, failing after `timeoutMs`; returns the milliseconds it took (for logs, not assertions). */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = HANG_GUARD_MS, everyMs = 10): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Sign-in attempts are counted per fixed minute: a test that counts a few of them starts well
 * inside a minute (waiting for the next one when fewer than 10 s are left), so they all share it.
 */
export async function inOneLoginWindow(windowMs = 60_000, headroomMs = 10_000): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - headroomMs) await new Promise((resolve) => setTimeout(resolve, windowMs - into + 100));
}
