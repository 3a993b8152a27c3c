/**
 * The API server of the soak run: `src/server.ts` itself, plus a report of this process's memory
 * to the parent (over IPC) every SOAK_SAMPLE_MS.
 */
const every = Number(process.env.SOAK_SAMPLE_MS ?? 5_000);
setInterval(() => {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  process.send?.({ at: Date.now(), rss, heapUsed, heapTotal, external });
}, every).unref();

await import("../src/server");
