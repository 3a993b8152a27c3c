/**
 * How much longer `run` takes on an input `factor` times larger: the best of several timings of
 * each size, divided. Linear work gives about `factor` (less, with fixed costs), quadratic about
 * `factor²`. A ratio of minimums, never a duration, so a loaded machine cannot fail it: being
 * preempted slows a sample, and the minimum ignores slow samples.
 */
export function growthRatio<T>(make: (size: number) => T, run: (input: T) => void, options: { size: number; factor: number; samples?: number }): number {
  const { size, factor, samples = 7 } = options;
  const small = make(size);
  const large = make(size * factor);
  // Warm up (the JIT), then repeat the small input until even its fastest run takes 10 ms, far above the clock's resolution.
  for (let i = 0; i < 3; i++) time(run, large, 1);
  let repeats = 1;
  while (Math.min(time(run, small, repeats), time(run, small, repeats), time(run, small, repeats)) < 10) repeats *= 2;
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  for (let i = 0; i < samples; i++) {
    bestSmall = Math.min(bestSmall, time(run, small, repeats));
    bestLarge = Math.min(bestLarge, time(run, large, repeats));
  }
  return bestLarge / bestSmall;
}

/** The monotonic clock (the wall clock can step back or stall on a virtual machine); `performance` exists in browsers and Node alike. */
const now = (): number => (globalThis as unknown as { performance: { now(): number } }).performance.now();

/** Milliseconds `repeats` runs take; a timing the clock could not measure (not above zero) is taken again. */
function time<T>(run: (input: T) => void, input: T, repeats: number): number {
  for (;;) {
    const started = now();
    for (let i = 0; i < repeats; i++) run(input);
    const elapsed = now() - started;
    if (elapsed > 0) return elapsed;
  }
}
