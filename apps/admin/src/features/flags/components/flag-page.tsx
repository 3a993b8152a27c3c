import type { FlagResponse } from "@ensign/contracts/flags";
import { Archive, ArrowLeft, FlaskConical, History, RotateCcw, TriangleAlert } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "../../../components/ui/tabs";
import { toast } from "../../../components/ui/toaster";
import { ApiError } from "../../../lib/api-client";
import { cn } from "../../../lib/cn";
import { formatRelative } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useFlag } from "../api/get-flag";
import { useSafeToggle } from "../hooks/use-safe-toggle";
import { useSetFlagLifecycle, type FlagLifecycleAction } from "../api/update-flag";
import { DeleteFlagButton } from "./delete-flag";
import { FlagSchedules } from "./flag-schedules";
import { FlagSettings } from "./flag-settings";
import { FlagStatusCell, flagStateLook } from "./flag-status";
import { FlagTargeting } from "./flag-targeting";
import { ProductionConfirmDialog, type ImpactPreview } from "./production-confirm";

/** Extra sections other features provide (overrides, stats, history), composed by the app. */
export interface FlagSection {
  id: string;
  label: string;
  render(props: { flag: FlagResponse; env: string }): ReactNode;
}

export interface FlagPageProps {
  sections?: FlagSection[];
  /** Shows the blast radius of a pending toggle or targeting change before it takes effect. */
  impact?: ImpactPreview;
  segments?: string[];
  /** End-user role keys, suggested for `role_at_least` conditions. */
  roles?: string[];
}

export function FlagPage({ sections = [], impact, segments, roles }: FlagPageProps) {
  const { key = "" } = useParams();
  const { ws, env, environment, environments, setEnvironment, can } = useWorkspaceScope();
  const flag = useFlag(ws, env, key);
  const toggle = useSafeToggle();
  const lifecycle = useSetFlagLifecycle(ws, key);
  const [tab, setTab] = useState("targeting");
  const [confirm, setConfirm] = useState<FlagLifecycleAction | null>(null);

  if (flag.isPending) return <PageSkeleton />;
  if (flag.isError) {
    if (flag.error instanceof ApiError && flag.error.status === 404) {
      return <ErrorPanel error={flag.error} title={`There is no flag "${key}"`} />;
    }
    return <ErrorPanel error={flag.error} onRetry={() => void flag.refetch()} title="The flag could not be loaded" />;
  }
  const f = flag.data;
  const summary = f.environments.find((e) => e.environment === env);

  return (
    <>
      <Link to={`/w/${ws}/flags`} className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
        <ArrowLeft className="h-4 w-4" aria-hidden="true" />
        Flags
      </Link>
      <header className="mb-5 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight text-slate-900">
            {f.name}
            <Badge tone="neutral">{f.type}</Badge>
            {f.module && <Badge tone="sky">{f.module}</Badge>}
            {f.isBeta && <Badge tone="violet"><FlaskConical className="h-3 w-3" aria-hidden="true" />beta</Badge>}
            {f.deprecatedAt && <Badge tone="amber"><TriangleAlert className="h-3 w-3" aria-hidden="true" />deprecated</Badge>}
            {f.archivedAt && <Badge tone="red">archived</Badge>}
          </h1>
          <p className="mt-1 font-mono text-sm text-slate-500">{f.key}</p>
          {f.description && <p className="mt-2 max-w-3xl text-sm text-slate-600">{f.description}</p>}
          <p className="mt-1 text-xs text-slate-400">
            {f.lifecycle} · {f.owner ? `owned by ${f.owner} · ` : ""}updated {formatRelative(f.updatedAt)}
            {f.dependsOn.length > 0 && ` · needs ${f.dependsOn.join(", ")}`}
          </p>
        </div>
        {can("definitions:write") && (
          <div className="flex gap-2">
            {f.deprecatedAt || f.archivedAt ? (
              <Button onClick={() => setConfirm("restore")}><RotateCcw className="h-4 w-4" aria-hidden="true" />Restore</Button>
            ) : (
              <Button onClick={() => setConfirm("deprecate")}><History className="h-4 w-4" aria-hidden="true" />Deprecate</Button>
            )}
            {!f.archivedAt && <Button variant="danger-ghost" onClick={() => setConfirm("archive")}><Archive className="h-4 w-4" aria-hidden="true" />Archive</Button>}
            {f.archivedAt && <DeleteFlagButton ws={ws} flag={f} />}
          </div>
        )}
      </header>

      <Tabs value={env} onValueChange={setEnvironment}>
        <TabsList label="Environments" className="mb-0">
          {environments.map((e) => {
            const s = f.environments.find((x) => x.environment === e.key);
            return (
              <TabsTrigger key={e.key} value={e.key}>
                <span className="h-2 w-2 rounded-full" style={{ background: e.color ?? "#64748b" }} aria-hidden="true" />
                {e.name}
                <span className={cn("h-1.5 w-1.5 rounded-full", !s?.enabled ? "bg-slate-300" : s.status === "partial" ? "bg-amber-500" : s.status === "on" ? "bg-emerald-500" : "bg-slate-400")} aria-label={s ? flagStateLook(s).status : "off"} />
              </TabsTrigger>
            );
          })}
        </TabsList>
        {/* The chosen environment's tab panel: its state, which the rest of the page edits. */}
        <TabsContent value={env} className="flex items-center justify-between gap-4 rounded-b-lg border-x border-b border-slate-200 bg-white px-5 py-3">
        <FlagStatusCell name={f.name} summary={summary} canToggle={can("state:write") && !f.archivedAt} isPending={toggle.isPending} onToggle={(enabled) => summary && toggle.request({ key: f.key, name: f.name, enabled, version: summary.version })} />
        {summary && (
          <span className="text-sm text-slate-500">
            Serving <span className="font-medium text-slate-700">{summary.rollout.summary}</span> · {summary.overrideCount} tenant override{summary.overrideCount === 1 ? "" : "s"} · {summary.userOverrideCount} user override{summary.userOverrideCount === 1 ? "" : "s"}
          </span>
        )}
        </TabsContent>
      </Tabs>

      <Tabs value={tab} onValueChange={setTab} className="mt-6">
        <TabsList label="Flag sections">
          <TabsTrigger value="targeting">Targeting</TabsTrigger>
          {sections.map((s) => <TabsTrigger key={s.id} value={s.id}>{s.label}</TabsTrigger>)}
          <TabsTrigger value="schedules">Schedules</TabsTrigger>
          <TabsTrigger value="settings">Variants & settings</TabsTrigger>
        </TabsList>
        <TabsContent value="targeting" className="pt-5">
          {f.state && <FlagTargeting key={env} flag={f} state={f.state} segments={segments} roles={roles} impact={impact} />}
        </TabsContent>
        {sections.map((s) => (
          <TabsContent key={s.id} value={s.id} className="pt-5">
            {s.render({ flag: f, env })}
          </TabsContent>
        ))}
        <TabsContent value="schedules" className="pt-5">
          <FlagSchedules flag={f} />
        </TabsContent>
        <TabsContent value="settings" className="pt-5">
          <FlagSettings flag={f} />
        </TabsContent>
      </Tabs>

      <ProductionConfirmDialog
        open={toggle.pending !== null}
        title={toggle.pending ? `Turn ${f.name} ${toggle.pending.enabled ? "on" : "off"} in ${environment.name}?` : ""}
        confirmLabel={toggle.pending?.enabled ? "Turn on" : "Turn off"}
        flagKey={f.key}
        flagName={f.name}
        state={{ enabled: toggle.pending?.enabled ?? false }}
        impact={impact}
        isPending={toggle.isPending}
        onConfirm={toggle.confirm}
        onCancel={toggle.cancel}
      />
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(open) => !open && setConfirm(null)}
        title={confirm === "archive" ? `Archive ${f.name}?` : confirm === "deprecate" ? `Deprecate ${f.name}?` : `Restore ${f.name}?`}
        tone={confirm === "archive" ? "danger" : "primary"}
        confirmLabel={confirm === "archive" ? "Archive" : confirm === "deprecate" ? "Deprecate" : "Restore"}
        isPending={lifecycle.isPending}
        onConfirm={() => confirm && lifecycle.mutate({ version: f.version, action: confirm }, { onSuccess: () => { toast.success(`${f.name}: ${confirm}d`); setConfirm(null); } })}
      >
        {confirm === "archive" && <p>The flag disappears from lists and evaluates as not found everywhere: SDKs fall back to their defaults. Refused while other flags depend on it.</p>}
        {confirm === "deprecate" && <p>It keeps evaluating as it does now and stays listed, marked deprecated; no new rules can use it. Use this when a flag is on its way out.</p>}
        {confirm === "restore" && <p>The flag comes back as it was.</p>}
      </ConfirmDialog>
    </>
  );
}
