import type { FastifyBaseLogger } from "fastify";

/**
 * A background pass that runs now and then every `intervalMs` after the previous one ends (never
 * two at once in a process). A failed pass is logged and the next one goes ahead; `stop` waits
 * for a pass in progress, so shutdown never cuts one in half.
 */
export function createPeriodicJob(name: string, runOnce: () => Promise<unknown>, { intervalMs, log }: { intervalMs: number; log: Pick<FastifyBaseLogger, "error"> }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  /** A pass was asked for while one ran: the next one follows at once. */
  let again = false;

  function tick() {
    timer = undefined;
    again = false;
    running = runOnce()
      .catch((error: unknown) => log.error({ err: error }, `${name} failed; retrying next pass`))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, again ? 0 : intervalMs).unref();
      });
  }

  return {
    /** Starts the job: a first pass now, then one every `intervalMs`. */
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    /** Runs a pass now rather than at the next interval (after the one in progress, if any). */
    runSoon() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      if (timer) clearTimeout(timer);
      tick();
    },
    /** Stops the job and waits for a pass in progress. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
