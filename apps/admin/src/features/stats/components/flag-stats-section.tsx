import type { FlagStatsPeriod } from "@ensign/contracts/stats";
import { useMemo } from "react";
import { Card } from "../../../components/ui/card";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Skeleton } from "../../../components/ui/skeleton";
import { TimeSeriesChart, type Series } from "../../../components/ui/time-series-chart";
import { formatNumber } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useFlagStats } from "../api/get-flag-stats";

const ms = (micros: number | null) => (micros === null ? "—" : `${(micros / 1000).toFixed(micros < 1000 ? 3 : 2)} ms`);
const pct = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

function Figures({ total }: { total: FlagStatsPeriod }) {
  const figures = [
    ["Evaluations", formatNumber(total.evaluations)],
    ["Unique users", formatNumber(total.uniqueUsers)],
    ["True rate", pct(total.trueRate)],
    ["Avg latency", ms(total.latency.avgMicros)],
    ["p99 latency", ms(total.latency.p99Micros)],
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {figures.map(([label, value]) => (
        <div key={label} className="rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-medium text-slate-500">{label}</dt>
          <dd className="mt-1 text-lg font-semibold text-slate-900 tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Evaluations, unique users, true rate and latency over the last 7 days, per UTC day. */
export function FlagStatsSection({ flagKey }: { flagKey: string }) {
  const { ws, env, environment } = useWorkspaceScope();
  const stats = useFlagStats(ws, env, flagKey);
  const charts = useMemo(() => {
    if (!stats.data) return null;
    const days = stats.data.days;
    const timestamps = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
    const volume: Series[] = [
      { label: "Evaluations", values: days.map((d) => d.evaluations), colour: "#4f46e5", format: (v) => formatNumber(Math.round(v)) },
      { label: "Unique users", values: days.map((d) => d.uniqueUsers), colour: "#059669", format: (v) => formatNumber(Math.round(v)) },
    ];
    const rate: Series[] = [{ label: "True rate", values: days.map((d) => (d.trueRate === null ? null : Math.round(d.trueRate * 1000) / 10)), colour: "#d97706", format: (v) => `${v} %` }];
    const latency: Series[] = [
      { label: "Avg latency", values: days.map((d) => (d.latency.avgMicros === null ? null : d.latency.avgMicros / 1000)), colour: "#0284c7", format: (v) => `${v.toFixed(2)} ms` },
      { label: "p99 latency", values: days.map((d) => (d.latency.p99Micros === null ? null : d.latency.p99Micros / 1000)), colour: "#e11d48", format: (v) => `${v.toFixed(2)} ms` },
    ];
    return { timestamps, volume, rate, latency };
  }, [stats.data]);

  if (stats.isPending) return <Skeleton className="h-72 w-full" />;
  if (stats.isError) return <ErrorPanel error={stats.error} onRetry={() => void stats.refetch()} title="Statistics could not be loaded" />;
  return (
    <div className="space-y-6">
      <Figures total={stats.data.total} />
      {charts && (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title={`Evaluations and unique users in ${environment.name}`} description="Last 7 days, per UTC day.">
            <TimeSeriesChart label="Evaluations and unique users per day" timestamps={charts.timestamps} series={charts.volume} />
          </Card>
          <Card title="True rate" description="Share of evaluations that returned true.">
            <TimeSeriesChart label="True rate per day" timestamps={charts.timestamps} series={charts.rate} />
          </Card>
          <Card title="Server-side latency" description="Per evaluation, average and 99th percentile." className="lg:col-span-2">
            <TimeSeriesChart label="Latency per day" timestamps={charts.timestamps} series={charts.latency} height={180} />
          </Card>
        </div>
      )}
    </div>
  );
}
