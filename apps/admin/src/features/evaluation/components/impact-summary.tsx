import type { SnapshotFlagState } from "@ensign/contracts/snapshot";
import { Info } from "lucide-react";
import { Spinner } from "../../../components/ui/spinner";
import { Tooltip } from "../../../components/ui/tooltip";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useImpact } from "../api/get-impact";

/** "This will turn X on for 12 tenants": the pending change's effect on every tenant, before saving. */
export function ImpactSummary({ flagKey, flagName, state }: { flagKey: string; flagName: string; state: Partial<SnapshotFlagState> }) {
  const { ws, env, environment } = useWorkspaceScope();
  const proposal = useDebouncedValue(state, 400);
  const impact = useImpact(ws, env, { flag: flagKey, state: proposal }, true);
  if (impact.isPending) return <p className="mb-2 flex items-center gap-2 text-xs text-slate-500"><Spinner className="h-3 w-3" />Working out who this affects…</p>;
  if (impact.isError) return <p className="mb-2 text-xs text-slate-500">The effect on tenants could not be worked out; the change can still be saved.</p>;
  const { turnedOn, turnedOff, changed, total, changes } = impact.data;
  const others = changed - turnedOn - turnedOff;
  const names = changes.slice(0, 8).map((c) => c.tenantKey).join(", ");
  return (
    <div role="status" className="mb-2 flex items-start gap-2 rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900" data-testid="impact-summary">
      <Info className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
      <p>
        {changed === 0 ? (
          <>No tenant's value of {flagName} changes in {environment.name} ({total} tenants checked).</>
        ) : (
          <>
            This will turn {flagName} {turnedOn > 0 && <strong>on for {turnedOn} tenant{turnedOn === 1 ? "" : "s"}</strong>}
            {turnedOn > 0 && turnedOff > 0 && " and "}
            {turnedOff > 0 && <strong>off for {turnedOff} tenant{turnedOff === 1 ? "" : "s"}</strong>}
            {others > 0 && <> and change the variant for {others}</>} in {environment.name}.{" "}
            <Tooltip content={<span className="font-mono">{names}{changes.length > 8 ? ", …" : ""}</span>}>
              <button type="button" className="underline decoration-dotted">Which tenants?</button>
            </Tooltip>
          </>
        )}
      </p>
    </div>
  );
}
