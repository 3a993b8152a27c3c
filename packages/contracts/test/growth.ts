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
  // Warm up (the JIT), then repeat the small input until even its fastest run takes 10 ms, far above the timer's resolution.
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

function time<T>(run: (input: T) => void, input: T, repeats: number): number {
  // Date.now: this package runs in browsers too and has no Node types; its millisecond is fine against a 10 ms sample.
  const started = Date.now();
  for (let i = 0; i < repeats; i++) run(input);
  return Date.now() - started;
}
