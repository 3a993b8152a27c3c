import { hash32, HyperLogLog } from "./hll";

/** Upper bounds (µs) of the latency histogram's buckets; larger values land in `inf`. */
export const LATENCY_BOUNDS_MICROS = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000] as const;
export const HOUR_MS = 3_600_000;

/** One flag's counters in one environment for one hour. */
export interface StatCounter {
  workspaceId: string;
  environmentId: string;
  flagKey: string;
  /** Epoch ms of the hour's start. */
  hour: number;
  evaluations: number;
  trueCount: number;
  errorCount: number;
  variants: Map<string, number>;
  latencyCount: number;
  latencySumMicros: number;
  /** Counts per bucket of LATENCY_BOUNDS_MICROS, plus one for `inf`. */
  histogram: number[];
  users: HyperLogLog;
}

export function emptyCounter(workspaceId: string, environmentId: string, flagKey: string, hour: number): StatCounter {
  return {
    workspaceId,
    environmentId,
    flagKey,
    hour,
    evaluations: 0,
    trueCount: 0,
    errorCount: 0,
    variants: new Map(),
    latencyCount: 0,
    latencySumMicros: 0,
    histogram: new Array<number>(LATENCY_BOUNDS_MICROS.length + 1).fill(0),
    users: new HyperLogLog(),
  };
}

export function latencyBucket(micros: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MICROS.length && micros > LATENCY_BOUNDS_MICROS[i]!) i++;
  return i;
}

/** What one evaluation contributes: an `EvaluationResult` is one. */
export interface Observation {
  key: string;
  variant?: string | undefined;
  value: unknown;
  reason: string;
}

/**
 * Which flag each result of a bulk evaluation is counted for, in the evaluation's order (the
 * snapshot's active flags): `null` for a flag whose evaluations are not counted. Made once per
 * snapshot; the recorder keeps the counters of the latest layout in an array of the same order.
 */
export interface BulkLayout {
  readonly keys: readonly (string | null)[];
  /** How many of `keys` are counted (not `null`). */
  readonly counted: number;
}

/**
 * A counter being filled: the variant served last and how many times in a row, added to
 * `variants` when another variant comes or the counter is drained. The same context asks again
 * and again, so a flag's evaluations mostly serve the variant they served just before: counting
 * one is an addition, not a map update.
 */
interface LiveCounter extends StatCounter {
  runVariant: string | undefined;
  runCount: number;
}

/** Adds the run of the last variant served to the counter's variants. */
function settle(counter: LiveCounter): StatCounter {
  if (counter.runVariant !== undefined) {
    counter.variants.set(counter.runVariant, (counter.variants.get(counter.runVariant) ?? 0) + counter.runCount);
    counter.runVariant = undefined;
    counter.runCount = 0;
  }
  return counter;
}

interface EnvironmentHour {
  workspaceId: string;
  hour: number;
  flags: Map<string, LiveCounter>;
  /** The bulk layout last counted in this hour and its counters by position, filled as first met. */
  layout: BulkLayout | null;
  counters: (LiveCounter | undefined)[];
}

/**
 * Counts evaluations in process memory: per environment, flag and hour, the evaluations, the
 * variants served, true values, errors, a latency histogram and a sketch of distinct targeting
 * keys. Recording is a few map lookups and additions, no I/O; `drain` hands everything counted
 * so far to the flusher and starts afresh.
 */
export function createStatsRecorder(now: () => number = Date.now) {
  let current = new Map<string, EnvironmentHour>();
  let finished: StatCounter[] = [];

  function hourOf(workspaceId: string, environmentId: string, at: number): EnvironmentHour {
    const hour = at - (at % HOUR_MS);
    let entry = current.get(environmentId);
    if (!entry || entry.hour !== hour) {
      if (entry) for (const counter of entry.flags.values()) finished.push(settle(counter));
      entry = { workspaceId, hour, flags: new Map(), layout: null, counters: [] };
      current.set(environmentId, entry);
    }
    return entry;
  }

  function counterOf(entry: EnvironmentHour, environmentId: string, flagKey: string): LiveCounter {
    let counter = entry.flags.get(flagKey);
    if (!counter) entry.flags.set(flagKey, (counter = { ...emptyCounter(entry.workspaceId, environmentId, flagKey, entry.hour), runVariant: undefined, runCount: 0 }));
    return counter;
  }

  /** `userHash`: the targeting key's `hash32`, or undefined without one. */
  function count(counter: LiveCounter, observation: Observation, userHash: number | undefined) {
    counter.evaluations += 1;
    if (observation.reason === "ERROR") counter.errorCount += 1;
    if (observation.value === true) counter.trueCount += 1;
    const variant = observation.variant;
    if (variant !== undefined) {
      if (variant === counter.runVariant) counter.runCount += 1;
      else {
        settle(counter);
        counter.runVariant = variant;
        counter.runCount = 1;
      }
    }
    if (userHash !== undefined) counter.users.addHash(userHash);
  }

  function time(counter: StatCounter, micros: number, bucket = latencyBucket(micros)) {
    counter.latencyCount += 1;
    counter.latencySumMicros += micros;
    counter.histogram[bucket]! += 1;
  }

  return {
    /** One evaluation of one flag, and how long it took (µs). */
    record(workspaceId: string, environmentId: string, observation: Observation, targetingKey: string | undefined, micros: number): void {
      const counter = counterOf(hourOf(workspaceId, environmentId, now()), environmentId, observation.key);
      count(counter, observation, targetingKey ? hash32(targetingKey) : undefined);
      time(counter, micros);
    },

    /**
     * A bulk evaluation of a snapshot: `observations[i]` is counted for `layout.keys[i]` (not at
     * all where that is `null`), the time shared out evenly between the counted flags. The
     * counters are found by position, not looked up by key for every flag.
     */
    recordBulk(workspaceId: string, environmentId: string, layout: BulkLayout, observations: readonly Observation[], targetingKey: string | undefined, micros: number): void {
      if (layout.counted === 0) return;
      const entry = hourOf(workspaceId, environmentId, now());
      if (entry.layout !== layout) {
        entry.layout = layout;
        entry.counters = new Array<LiveCounter | undefined>(layout.keys.length);
      }
      const counters = entry.counters;
      const keys = layout.keys;
      const share = micros / layout.counted;
      const bucket = latencyBucket(share);
      const userHash = targetingKey ? hash32(targetingKey) : undefined;
      const length = Math.min(observations.length, keys.length);
      for (let i = 0; i < length; i++) {
        let counter = counters[i];
        if (counter === undefined) {
          const key = keys[i];
          if (key === null || key === undefined) continue;
          counter = counters[i] = counterOf(entry, environmentId, key);
        }
        count(counter, observations[i]!, userHash);
        time(counter, share, bucket);
      }
    },

    /** Everything counted since the last drain. */
    drain(): StatCounter[] {
      const drained = finished;
      for (const entry of current.values()) for (const counter of entry.flags.values()) drained.push(settle(counter));
      current = new Map();
      finished = [];
      return drained;
    },
  };
}

export type StatsRecorder = ReturnType<typeof createStatsRecorder>;
