import type { IdentityTraitStats } from "@ensign/contracts/identities";
import { formatNumber } from "../../../lib/format";

const label = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** Horizontal bars: how many identities hold each value of a trait, most common first. */
export function TraitSpread({ stats }: { stats: IdentityTraitStats }) {
  const rows = [
    ...stats.values.map((v) => ({ name: label(v.value), count: v.count, muted: false })),
    ...(stats.other > 0 ? [{ name: "other values", count: stats.other, muted: true }] : []),
    ...(stats.missing > 0 ? [{ name: `no ${stats.trait}`, count: stats.missing, muted: true }] : []),
  ];
  const largest = Math.max(1, ...rows.map((row) => row.count));
  if (stats.total === 0) return <p className="text-sm text-slate-500">No identities in this environment yet.</p>;
  return (
    <ul aria-label={`Identities by ${stats.trait}`} className="space-y-1.5">
      {rows.map((row) => (
        <li key={row.name} className="grid grid-cols-[minmax(6rem,10rem)_1fr_4rem] items-center gap-3 text-sm">
          <span className={row.muted ? "truncate text-slate-400 italic" : "truncate font-mono text-xs text-slate-700"} title={row.name}>{row.name}</span>
          <span className="h-3 rounded-sm bg-slate-100" aria-hidden="true">
            <span className={`block h-3 rounded-sm ${row.muted ? "bg-slate-300" : "bg-indigo-500"}`} style={{ width: `${(row.count / largest) * 100}%` }} />
          </span>
          <span className="text-right tabular-nums text-slate-600">
            {formatNumber(row.count)}
            <span className="sr-only"> identities</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
