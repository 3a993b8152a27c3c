/**
 * A per-key request budget per second, in process memory: no round trip per request. Each
 * replica counts its own share, so the limit a key sees behind N replicas is up to N times this
 * one; it exists to stop a runaway client, not to meter.
 */
export function createRateLimiter(limitPerSecond: number, now: () => number = Date.now) {
  const windows = new Map<string, { second: number; count: number }>();
  let sweptAt = 0;
  return {
    /** 0 when the request may go ahead, else the seconds to wait before trying again. */
    hit(key: string): number {
      const ms = now();
      const second = Math.floor(ms / 1000);
      if (second - sweptAt > 60) {
        // Forget keys idle for a minute, so the map does not grow without bound.
        for (const [k, w] of windows) if (w.second < second - 1) windows.delete(k);
        sweptAt = second;
      }
      const window = windows.get(key);
      if (!window || window.second !== second) {
        windows.set(key, { second, count: 1 });
        return 0;
      }
      window.count += 1;
      return window.count > limitPerSecond ? 1 : 0;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
