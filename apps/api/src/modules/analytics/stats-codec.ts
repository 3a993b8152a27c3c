import { HyperLogLog } from "./hll";
import { emptyCounter, LATENCY_BOUNDS_MICROS, type StatCounter } from "./stats-recorder";

/** How counters travel through Redis between the replicas and the flusher that writes PostgreSQL. */
export const DIRTY_SET = "stats:dirty";
export const hashKey = (id: string) => `stats:b:${id}`;
export const sketchKey = (id: string) => `stats:s:${id}`;
/** Flag keys cannot contain `|`, so the id splits back unambiguously. */
export const bucketId = (c: Pick<StatCounter, "workspaceId" | "environmentId" | "hour" | "flagKey">) =>
  `${c.workspaceId}|${c.environmentId}|${c.hour}|${c.flagKey}`;

export function histogramKeys(): string[] {
  return [...LATENCY_BOUNDS_MICROS.map(String), "inf"];
}

/** The increments of a counter as hash fields: n, t, e, lc, ls, v:<variant>, h:<bucket>. */
export function toFields(counter: StatCounter): Record<string, number> {
  const fields: Record<string, number> = {
    n: counter.evaluations,
    t: counter.trueCount,
    e: counter.errorCount,
    lc: counter.latencyCount,
    ls: Math.round(counter.latencySumMicros),
  };
  for (const [variant, count] of counter.variants) fields[`v:${variant}`] = count;
  counter.histogram.forEach((count, i) => {
    if (count) fields[`h:${i}`] = count;
  });
  return fields;
}

export function fromFields(id: string, fields: Record<string, string>, sketches: string[]): StatCounter | undefined {
  const [workspaceId, environmentId, hour, flagKey] = id.split("|");
  if (!workspaceId || !environmentId || !hour || !flagKey) return undefined;
  const counter = emptyCounter(workspaceId, environmentId, flagKey, Number(hour));
  for (const [field, raw] of Object.entries(fields)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (field === "n") counter.evaluations = value;
    else if (field === "t") counter.trueCount = value;
    else if (field === "e") counter.errorCount = value;
    else if (field === "lc") counter.latencyCount = value;
    else if (field === "ls") counter.latencySumMicros = value;
    else if (field.startsWith("v:")) counter.variants.set(field.slice(2), value);
    else if (field.startsWith("h:")) {
      const index = Number(field.slice(2));
      if (index >= 0 && index < counter.histogram.length) counter.histogram[index] = value;
    }
  }
  for (const sketch of sketches) counter.users.merge(HyperLogLog.fromBytes(Buffer.from(sketch, "base64")));
  return counter;
}

/** Adds `from` into `into` (same flag, environment and hour). */
export function mergeCounter(into: StatCounter, from: StatCounter): StatCounter {
  into.evaluations += from.evaluations;
  into.trueCount += from.trueCount;
  into.errorCount += from.errorCount;
  into.latencyCount += from.latencyCount;
  into.latencySumMicros += from.latencySumMicros;
  for (const [variant, count] of from.variants) into.variants.set(variant, (into.variants.get(variant) ?? 0) + count);
  from.histogram.forEach((count, i) => {
    into.histogram[i]! += count;
  });
  into.users.merge(from.users);
  return into;
}

/** Counters of the same bucket added together. */
export function combine(counters: StatCounter[]): StatCounter[] {
  const byId = new Map<string, StatCounter>();
  for (const counter of counters) {
    const id = bucketId(counter);
    const known = byId.get(id);
    if (known) mergeCounter(known, counter);
    else byId.set(id, counter);
  }
  return [...byId.values()];
}
