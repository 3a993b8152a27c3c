import type { OverviewEnvironment, OverviewResponse } from "@ensign/contracts/overview";
import { CalendarClock, History, OctagonAlert, RefreshCw, ShieldCheck, TrendingDown, TrendingUp } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { formatDateTime, formatNumber, formatRelative } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useOverview } from "../api/get-overview";

/** The landing page: how every environment stands, what changed, what is about to, and which flags are used. */
export function OverviewPage() {
  const { ws, env, environment } = useWorkspaceScope();
  const overview = useOverview(ws, env);
  return (
    <>
      <PageHeader
        title="Overview"
        description="Flags per environment, the last day's changes, upcoming schedules and how much each flag is used."
        actions={
          <Button variant="ghost" aria-label="Refresh" onClick={() => void overview.refetch()} disabled={overview.isFetching}>
            <RefreshCw className={overview.isFetching ? "h-4 w-4 animate-spin" : "h-4 w-4"} aria-hidden="true" />
          </Button>
        }
      />
      {overview.isPending ? (
        <PageSkeleton />
      ) : overview.isError ? (
        <ErrorPanel error={overview.error} onRetry={() => void overview.refetch()} title="The overview could not be loaded" />
      ) : (
        <div className="space-y-6">
          <section aria-labelledby="environments-heading">
            <h2 id="environments-heading" className="sr-only">Environments</h2>
            <ul className="grid grid-cols-1 gap-4 lg:grid-cols-3">
              {overview.data.environments.map((e) => <EnvironmentCard key={e.key} ws={ws} environment={e} />)}
            </ul>
          </section>
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-2">
            <ChangesCard ws={ws} data={overview.data} />
            <SchedulesCard ws={ws} data={overview.data} />
            <UsageCard ws={ws} title="Most evaluated" icon={<TrendingUp className="h-4 w-4 text-emerald-700" aria-hidden="true" />} rows={overview.data.usage.most} environmentName={environment.name} days={overview.data.usage.days} empty="No evaluations counted yet." />
            <UsageCard
              ws={ws}
              title="Least evaluated"
              hint="Candidates for removal"
              icon={<TrendingDown className="h-4 w-4 text-amber-700" aria-hidden="true" />}
              rows={overview.data.usage.least}
              environmentName={environment.name}
              days={overview.data.usage.days}
              empty="No flags yet."
            />
          </div>
        </div>
      )}
    </>
  );
}

function EnvironmentCard({ ws, environment: e }: { ws: string; environment: OverviewEnvironment }) {
  const total = e.flags.on + e.flags.partial + e.flags.off;
  const share = (n: number) => (total === 0 ? 0 : (n / total) * 100);
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-5 shadow-xs" data-testid={`overview-env-${e.key}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="flex items-center gap-2 text-sm font-semibold text-slate-900">
          {e.name}
          {e.isProduction && <Badge tone="red">production</Badge>}
        </h3>
        {e.masterSwitch.isOn ? (
          <Badge tone="red" title={e.masterSwitch.reason ?? undefined}>
            <OctagonAlert className="h-3 w-3" aria-hidden="true" />
            Master switch on
          </Badge>
        ) : (
          <Badge tone="green">
            <ShieldCheck className="h-3 w-3" aria-hidden="true" />
            Master switch off
          </Badge>
        )}
      </div>
      {e.masterSwitch.isOn && (
        <p className="mt-2 text-xs text-red-700">
          Every flag serves its off variant{e.masterSwitch.reason ? `: ${e.masterSwitch.reason}` : ""}
          {e.masterSwitch.changedAt ? ` (since ${formatDateTime(e.masterSwitch.changedAt)})` : ""}.
        </p>
      )}
      <dl className="mt-4 grid grid-cols-3 gap-2 text-center">
        {(["on", "partial", "off"] as const).map((status) => (
          <div key={status}>
            <dt className="text-xs text-slate-500 capitalize">{status}</dt>
            <dd className="text-2xl font-semibold text-slate-900 tabular-nums">
              <Link to={`/w/${ws}/flags`} className="rounded hover:underline">{formatNumber(e.flags[status])}</Link>
            </dd>
          </div>
        ))}
      </dl>
      <div className="mt-3 flex h-2 overflow-hidden rounded-full bg-slate-100" role="img" aria-label={`${e.flags.on} on, ${e.flags.partial} partial, ${e.flags.off} off`}>
        <span className="bg-emerald-500" style={{ width: `${share(e.flags.on)}%` }} />
        <span className="bg-amber-500" style={{ width: `${share(e.flags.partial)}%` }} />
        <span className="bg-slate-300" style={{ width: `${share(e.flags.off)}%` }} />
      </div>
    </li>
  );
}

function ChangesCard({ ws, data }: { ws: string; data: OverviewResponse }) {
  return (
    <Card
      title={<span className="flex items-center gap-2"><History className="h-4 w-4 text-slate-500" aria-hidden="true" />Changes in the last 24 hours</span>}
      description={`${formatNumber(data.changes.total)} change${data.changes.total === 1 ? "" : "s"} in the workspace`}
      actions={<Link to={`/w/${ws}/audit`} className="text-sm text-indigo-700 hover:underline">Audit log</Link>}
      bodyClassName="p-0"
    >
      {data.changes.latest.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500">Nothing changed in the last 24 hours.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {data.changes.latest.map((c) => (
            <li key={c.id} className="flex items-center justify-between gap-3 px-5 py-2.5 text-sm">
              <span className="min-w-0">
                <span className="font-mono text-xs text-slate-700">{c.action}</span>
                {c.targetKey && <span className="ml-2 truncate text-slate-900">{c.targetKey}</span>}
                {c.environment && <span className="ml-2 text-xs text-slate-500">in {c.environment}</span>}
                <span className="block text-xs text-slate-500">{c.actor ?? "system"}</span>
              </span>
              <time dateTime={c.at} title={formatDateTime(c.at)} className="shrink-0 text-xs text-slate-500">{formatRelative(c.at)}</time>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function SchedulesCard({ ws, data }: { ws: string; data: OverviewResponse }) {
  return (
    <Card title={<span className="flex items-center gap-2"><CalendarClock className="h-4 w-4 text-slate-500" aria-hidden="true" />Upcoming schedules</span>} description="Pending changes, soonest first" bodyClassName="p-0">
      {data.schedules.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500">No schedules are waiting to apply.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {data.schedules.map((s) => (
            <li key={s.id} className="flex items-center justify-between gap-3 px-5 py-2.5 text-sm">
              <span className="min-w-0">
                <Link to={`/w/${ws}/flags/${encodeURIComponent(s.flag)}#schedules`} className="font-medium text-slate-900 hover:underline">{s.flagName}</Link>
                <span className="ml-2 text-xs text-slate-500">{s.action.replace("_", " ")} in {s.environment}</span>
              </span>
              <time dateTime={s.runAt} title={formatDateTime(s.runAt)} className="shrink-0 text-xs text-slate-600">{formatDateTime(s.runAt)}</time>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function UsageCard({ ws, title, hint, icon, rows, environmentName, days, empty }: { ws: string; title: string; hint?: string; icon: ReactNode; rows: OverviewResponse["usage"]["most"]; environmentName: string; days: number; empty: string }) {
  const max = Math.max(1, ...rows.map((r) => r.evaluations));
  return (
    <Card title={<span className="flex items-center gap-2">{icon}{title}</span>} description={`${hint ? `${hint}. ` : ""}Evaluations in ${environmentName}, last ${days} days`} bodyClassName="p-0">
      {rows.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500">{empty}</p>
      ) : (
        <ol className="divide-y divide-slate-100" aria-label={title}>
          {rows.map((r) => (
            <li key={r.flag} className="px-5 py-2.5 text-sm">
              <span className="flex items-center justify-between gap-3">
                <Link to={`/w/${ws}/flags/${encodeURIComponent(r.flag)}`} className="min-w-0 truncate font-medium text-slate-900 hover:underline">{r.name}</Link>
                <span className="shrink-0 text-slate-700 tabular-nums">{formatNumber(r.evaluations)}</span>
              </span>
              <span className="mt-1 block h-1 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                <span className="block h-full bg-indigo-500" style={{ width: `${(r.evaluations / max) * 100}%` }} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
