import type { FlagStateSummary } from "@ensign/contracts/flags";
import { StatusDot } from "../../../components/ui/badge";
import { Switch } from "../../../components/ui/switch";
import { Tooltip } from "../../../components/ui/tooltip";

/** on: green; off: grey; partial (rules, split, lists, overrides): amber. */
export function FlagStatusCell({ name, description, summary, canToggle, onToggle, isPending }: { name: string; description?: string; summary: FlagStateSummary | undefined; canToggle: boolean; onToggle(enabled: boolean): void; isPending?: boolean }) {
  if (!summary) return <span className="text-xs text-slate-400">—</span>;
  const label = summary.enabled ? (summary.status === "partial" ? "partial" : summary.status) : "off";
  return (
    <span className="inline-flex items-center gap-3">
      <Switch
        size="sm"
        checked={summary.enabled}
        tone={summary.status === "partial" ? "amber" : "green"}
        label={`${name} in ${summary.environment}: ${summary.enabled ? "enabled" : "disabled"}`}
        disabled={!canToggle || isPending}
        onCheckedChange={onToggle}
        help={description || undefined}
      />
      <StatusDot status={summary.enabled ? summary.status : "off"} label={label} />
    </span>
  );
}

export function RolloutCell({ summary }: { summary: FlagStateSummary | undefined }) {
  if (!summary) return <span className="text-xs text-slate-400">—</span>;
  const { rollout } = summary;
  const detail = [
    `Fallthrough: ${rollout.summary}`,
    `${summary.ruleCount} targeting rule${summary.ruleCount === 1 ? "" : "s"}`,
    `${summary.overrideCount} tenant override${summary.overrideCount === 1 ? "" : "s"}`,
    `${summary.userOverrideCount} user override${summary.userOverrideCount === 1 ? "" : "s"}`,
    summary.enabled ? null : "Disabled: everyone gets the off variant",
  ].filter(Boolean);
  return (
    <Tooltip content={<ul className="space-y-0.5">{detail.map((d) => <li key={d}>{d}</li>)}</ul>}>
      <button type="button" className="group inline-flex min-w-24 flex-col items-start gap-1 text-left" aria-label={`Rollout: ${detail.join("; ")}`}>
        <span className="text-sm text-slate-700 group-hover:text-slate-900">{rollout.summary}</span>
        {rollout.percentage !== null && (
          <span className="h-1 w-20 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
            <span className={rollout.percentage === 100 ? "block h-full bg-emerald-500" : "block h-full bg-amber-500"} style={{ width: `${rollout.percentage}%` }} />
          </span>
        )}
      </button>
    </Tooltip>
  );
}
