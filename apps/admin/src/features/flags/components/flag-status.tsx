import type { FlagStateSummary } from "@ensign/contracts/flags";
import { StatusDot } from "../../../components/ui/badge";
import { Switch } from "../../../components/ui/switch";
import { Tooltip } from "../../../components/ui/tooltip";

/**
 * What a flag's state in one environment looks like. The switch is the flag's kill switch
 * (`enabled`); its colour, its accessible name and the status beside it all tell what the flag
 * serves: green "on" for everyone, amber "partial" for some, grey "off" when disabled. A flag
 * that is enabled but serves its off variant to everyone is on (checked) in slate, "serves off":
 * never green beside a status that says off.
 */
export function flagStateLook(summary: Pick<FlagStateSummary, "enabled" | "status">) {
  if (!summary.enabled) return { tone: "green", dot: "off", status: "off", description: "disabled" } as const;
  if (summary.status === "on") return { tone: "green", dot: "on", status: "on", description: "enabled, on for everyone" } as const;
  if (summary.status === "partial") return { tone: "amber", dot: "partial", status: "partial", description: "enabled, on for some" } as const;
  return { tone: "slate", dot: "off", status: "serves off", description: "enabled, serving the off variant to everyone" } as const;
}

export function FlagStatusCell({ name, description, summary, canToggle, onToggle, isPending }: { name: string; description?: string; summary: FlagStateSummary | undefined; canToggle: boolean; onToggle(enabled: boolean): void; isPending?: boolean }) {
  if (!summary) return <span className="text-xs text-slate-400">—</span>;
  const look = flagStateLook(summary);
  return (
    <span className="inline-flex items-center gap-3">
      <Switch
        size="sm"
        checked={summary.enabled}
        tone={look.tone}
        label={`${name} in ${summary.environment}: ${look.description}`}
        disabled={!canToggle || isPending}
        onCheckedChange={onToggle}
        help={description || undefined}
      />
      <StatusDot status={look.dot} label={look.status} />
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
