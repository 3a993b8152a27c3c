import type { FlagResponse, FlagStateResponse } from "@ensign/contracts/flags";
import { RuleBody, Serve, type Variant } from "@ensign/contracts/targeting";
import { AlertTriangle, RotateCcw, Save } from "lucide-react";
import { useState } from "react";
import { RolloutSlider } from "../../../components/targeting/rollout-slider";
import { RuleBuilder } from "../../../components/targeting/rule-builder";
import { ServeEditor } from "../../../components/targeting/serve-editor";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { toast } from "../../../components/ui/toaster";
import { ApiError } from "../../../lib/api-client";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { targetingChanges, useSaveTargeting, type TargetingDraft } from "../api/save-flag-state";
import { UNDO_WINDOW_MS } from "../hooks/use-safe-toggle";
import { ProductionConfirmDialog, type ImpactPreview } from "./production-confirm";

const draftOf = (state: FlagStateResponse): TargetingDraft => ({ rules: state.rules, fallthrough: state.fallthrough, tenantAllow: state.tenantAllow, tenantDeny: state.tenantDeny });

/** Why the draft cannot be saved, or an empty list. */
export function draftIssues(draft: TargetingDraft): string[] {
  const issues: string[] = [];
  draft.rules.forEach((rule, i) => {
    const parsed = RuleBody.safeParse(rule);
    if (!parsed.success) issues.push(`Rule ${i + 1}: ${parsed.error.issues[0]?.message ?? "incomplete"}`);
  });
  const fallthrough = Serve.safeParse(draft.fallthrough);
  if (!fallthrough.success) issues.push(`Fallthrough: ${fallthrough.error.issues[0]?.message ?? "incomplete"}`);
  return issues;
}

/**
 * Rules, fallthrough and tenant lists of the flag in one environment, edited as a draft and
 * saved together. `impact` shows the blast radius of the pending change before saving; in a
 * production environment saving asks for confirmation with it. Elsewhere a change that left the
 * rules alone (a rollout, a tenant list) can be undone from the toast.
 */
export function FlagTargeting({ flag, state, segments, roles, impact }: { flag: FlagResponse; state: FlagStateResponse; segments?: string[]; roles?: string[]; impact?: ImpactPreview }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const canWrite = can("state:write") && !flag.archivedAt;
  const save = useSaveTargeting(ws, env, flag.key);
  const [base, setBase] = useState(state);
  const [draft, setDraft] = useState<TargetingDraft>(() => draftOf(state));
  const changes = targetingChanges(base, draft);
  const isDirty = changes.count > 0;
  // Changes made elsewhere replace the draft when there is nothing of ours to lose.
  if (state.version !== base.version && !isDirty) {
    setBase(state);
    setDraft(draftOf(state));
  }
  const isStale = state.version !== base.version;
  const issues = draftIssues(draft);
  const variants: Variant[] = flag.variants;
  const isBoolean = flag.type === "boolean";
  const update = (patch: Partial<TargetingDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const [isConfirming, setIsConfirming] = useState(false);
  const preview = (d: TargetingDraft) => impact?.({ flagKey: flag.key, flagName: flag.name, state: d });
  // Only the fallthrough and lists can be put back by one PATCH; rule edits are undone by hand.
  const isUndoable = changes.deleted.length === 0 && changes.created.length === 0 && changes.updated.length === 0 && !changes.reorder;

  const undo = (saved: FlagStateResponse, previous: TargetingDraft) =>
    save.mutate(
      { saved, draft: previous },
      {
        onSuccess: (next) => {
          setBase(next);
          setDraft(draftOf(next));
          toast.success(`Targeting restored in ${environment.name}`);
        },
      },
    );

  const apply = () => {
    const previous = draftOf(base);
    save.mutate(
      { saved: base, draft },
      {
        onSuccess: (next) => {
          setBase(next);
          setDraft(draftOf(next));
          const message = `Targeting saved in ${environment.name}`;
          if (environment.isProduction || !isUndoable) toast.success(message);
          else toast.success(message, { duration: UNDO_WINDOW_MS, action: { label: "Undo", onClick: () => undo(next, previous) } });
        },
        onError: (error) => {
          if (error instanceof ApiError && error.status === 412) setBase(state);
        },
        onSettled: () => setIsConfirming(false),
      },
    );
  };
  const onSave = () => (environment.isProduction ? setIsConfirming(true) : apply());

  return (
    <div className="space-y-6" id="targeting">
      {isStale && isDirty && (
        <div role="alert" className="flex items-center justify-between gap-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <span className="flex items-center gap-2"><AlertTriangle className="h-4 w-4" aria-hidden="true" />Someone changed this flag in {environment.name} while you were editing.</span>
          <Button size="sm" onClick={() => { setBase(state); setDraft(draftOf(state)); }}>Discard mine, load theirs</Button>
        </div>
      )}
      <Card title="Targeting rules" description="Evaluated top to bottom after overrides; the first rule whose conditions all hold decides.">
        <RuleBuilder rules={draft.rules} onChange={(rules) => update({ rules })} variants={variants} defaultVariant={flag.onVariant} segments={segments} roles={roles} attributes={environment?.exposedHeaders.map((name) => `header.${name}`)} disabled={!canWrite} />
      </Card>
      <Card title="Everyone else (fallthrough)" description={isBoolean ? "Who gets the flag when no override or rule decided." : "What is served when no override or rule decided."}>
        {isBoolean && ("variant" in draft.fallthrough ? [flag.onVariant, flag.offVariant].includes(draft.fallthrough.variant) : draft.fallthrough.split.allocations.every((a) => [flag.onVariant, flag.offVariant].includes(a.variant))) ? (
          <RolloutSlider value={draft.fallthrough} onChange={(fallthrough) => update({ fallthrough })} onVariant={flag.onVariant} offVariant={flag.offVariant} disabled={!canWrite} />
        ) : (
          <ServeEditor value={draft.fallthrough} onChange={(fallthrough) => update({ fallthrough })} variants={variants} label="Fallthrough" disabled={!canWrite} />
        )}
      </Card>
      <Card title="Tenant lists" description="The deny list wins over everything but a disabled flag; the allow list serves the on variant.">
        <div className="grid gap-4 md:grid-cols-2">
          <div className="space-y-1.5">
            <span className="block text-sm font-medium text-slate-700">Always on for (allow list)</span>
            <ValuesInput label="Allow list" placeholder="tenant key" values={draft.tenantAllow} onChange={(v) => update({ tenantAllow: v.map(String) })} />
          </div>
          <div className="space-y-1.5">
            <span className="block text-sm font-medium text-slate-700">Always off for (deny list)</span>
            <ValuesInput label="Deny list" placeholder="tenant key" values={draft.tenantDeny} onChange={(v) => update({ tenantDeny: v.map(String) })} />
          </div>
        </div>
      </Card>
      {canWrite && isDirty && (
        <div className="sticky bottom-3 z-10 rounded-lg border border-indigo-200 bg-white/95 px-4 py-3 shadow-lg ring-1 ring-indigo-500/10 backdrop-blur">
          {issues.length === 0 && preview?.(draft)}
          {issues.length > 0 && (
            <ul role="alert" className="mb-2 space-y-0.5 text-xs text-red-600">
              {issues.map((i) => <li key={i}>{i}</li>)}
            </ul>
          )}
          <div className="flex items-center justify-between gap-3">
            <p className="text-sm text-slate-600">{`${changes.count} unsaved change${changes.count === 1 ? "" : "s"} in ${environment.name}`}</p>
            <div className="flex gap-2">
              <Button disabled={save.isPending} onClick={() => setDraft(draftOf(base))}><RotateCcw className="h-4 w-4" aria-hidden="true" />Discard</Button>
              <Button variant="primary" disabled={issues.length > 0} isLoading={save.isPending} onClick={onSave}><Save className="h-4 w-4" aria-hidden="true" />Save changes</Button>
            </div>
          </div>
        </div>
      )}
      <ProductionConfirmDialog
        open={isConfirming}
        title={`Save ${changes.count} change${changes.count === 1 ? "" : "s"} to ${flag.name} in ${environment.name}?`}
        confirmLabel="Save changes"
        flagKey={flag.key}
        flagName={flag.name}
        state={draft}
        impact={impact}
        isPending={save.isPending}
        onConfirm={apply}
        onCancel={() => setIsConfirming(false)}
      />
    </div>
  );
}
