/** How reconnects and retries wait: exponential from `initialMs` up to `maxMs`, with jitter. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** 0 waits exactly; 1 ("full jitter") waits anywhere between 0 and the exponential delay. */
  jitter?: number;
  /** Injected for tests; `Math.random` otherwise. */
  random?: () => number;
}

/** The delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { initialMs = 500, maxMs = 30_000, factor = 2, jitter = 0.5, random = Math.random } = options;
  const exponential = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  const spread = exponential * Math.min(1, Math.max(0, jitter));
  return Math.round(exponential - spread * random());
}
