import type { ReactNode } from "react";
import { cn } from "../../lib/cn";

const tones = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-500/15",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/25",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-600/20",
  violet: "bg-violet-50 text-violet-700 ring-violet-600/20",
  sky: "bg-sky-50 text-sky-700 ring-sky-600/20",
} as const;
export type BadgeTone = keyof typeof tones;

export function Badge({ tone = "neutral", className, children, title }: { tone?: BadgeTone; className?: string; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={cn("inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset", tones[tone], className)}>
      {children}
    </span>
  );
}

/** A coloured dot and word for a status: on (green), off (grey), partial (amber), error (red). */
export function StatusDot({ status, label }: { status: "on" | "off" | "partial" | "error"; label?: string }) {
  const colour = { on: "bg-emerald-500", off: "bg-slate-400", partial: "bg-amber-500", error: "bg-red-500" }[status];
  return (
    <span className="inline-flex items-center gap-1.5 text-sm text-slate-700">
      <span className={cn("h-2 w-2 rounded-full", colour)} aria-hidden="true" />
      {label ?? status}
    </span>
  );
}
