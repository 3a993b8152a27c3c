import { describe, expect, it } from "vitest";
import { createPeriodicJob } from "./periodic-job";

const log = { error: () => {} };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("createPeriodicJob", () => {
  it("runs a pass at start, and another at once when asked, without waiting for the interval", async () => {
    let passes = 0;
    const job = createPeriodicJob("test", async () => void passes++, { intervalMs: 3_600_000, log });
    job.start();
    await tick();
    expect(passes).toBe(1);
    job.runSoon();
    await tick();
    expect(passes).toBe(2);
    await job.stop();
    job.runSoon();
    await tick();
    expect(passes).toBe(2);
  });

  it("never runs two passes at once: asked during a pass, it runs one more right after", async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    let release: () => void = () => {};
    const job = createPeriodicJob(
      "test",
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => (release = resolve));
        running--;
        passes++;
      },
      { intervalMs: 3_600_000, log },
    );
    job.start();
    job.runSoon();
    job.runSoon();
    release();
    await tick();
    expect(passes).toBe(1);
    release();
    await tick();
    expect(passes).toBe(2);
    expect(most).toBe(1);
    const stopped = job.stop();
    release();
    await stopped;
  });
});
