import type { Histogram, Registry } from "prom-client";

/** One labelled series of a tallied histogram: bucket counts (not cumulative), their sum and count. */
export interface TallySeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket: `counts[i]` for values up to `buckets[i]`, the last for larger ones. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export interface TalliedHistogram {
  /** The series of these label values, made on first use. Callers keep it: observing is then a few additions. */
  series(labels: Readonly<Record<string, string>>): TallySeries;
  observe(series: TallySeries, value: number): void;
}

/**
 * A Prometheus histogram for the hot path: each observation adds to plain numbers in a series
 * the caller holds, with no label validation, hashing or allocation (prom-client's `observe`
 * does all three on every call). Prometheus reads it through the registry like any other
 * metric, in prom-client's exposition: `_bucket` (cumulative, `le`), `_sum` and `_count`.
 */
export function talliedHistogram(registry: Registry, options: { name: string; help: string; buckets: readonly number[] }): TalliedHistogram {
  const { name, help, buckets } = options;
  const all = new Map<string, TallySeries>();
  const keyOf = (labels: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

  const metric = {
    name,
    help,
    type: "histogram" as const,
    aggregator: "sum" as const,
    get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const series of all.values()) {
        let cumulative = 0;
        for (let i = 0; i < buckets.length; i++) {
          cumulative += series.counts[i]!;
          values.push({ labels: { le: buckets[i]!, ...series.labels }, value: cumulative, metricName: `${name}_bucket` });
        }
        values.push({ labels: { le: "+Inf", ...series.labels }, value: series.count, metricName: `${name}_bucket` });
        values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${name}_sum` });
        values.push({ labels: { ...series.labels }, value: series.count, metricName: `${name}_count` });
      }
      return Promise.resolve({ name, help, type: metric.type, aggregator: metric.aggregator, values });
    },
    reset() {
      for (const series of all.values()) {
        series.counts.fill(0);
        series.sum = 0;
        series.count = 0;
      }
    },
  };
  // The registry reads any object with prom-client's metric shape; its types list only its own classes.
  registry.registerMetric(metric as unknown as Histogram);

  return {
    series(labels) {
      const key = keyOf(labels);
      let series = all.get(key);
      if (series === undefined) all.set(key, (series = { labels: { ...labels }, counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 }));
      return series;
    },
    observe(series, value) {
      let i = 0;
      while (i < buckets.length && value > buckets[i]!) i++;
      series.counts[i]! += 1;
      series.sum += value;
      series.count += 1;
    },
  };
}
