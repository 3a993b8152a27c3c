import { Bot, ChevronRight, KeyRound, User } from "lucide-react";
import { useState } from "react";
import { cn } from "../../lib/cn";
import { formatDateTime, formatRelative } from "../../lib/format";
import { Badge, type BadgeTone } from "../ui/badge";
import { JsonDiff } from "../ui/json-diff";

/** An audit entry as the lists show it, whichever API it came from. */
export interface AuditItem {
  id: string;
  at: string;
  action: string;
  actor: { type: "user" | "api_key" | "personal_token" | "service_token" | "system"; email: string | null; role: string | null; id?: string | null; name?: string | null };
  targetType: string;
  targetKey: string | null;
  environment: string | null;
  tenant?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  before: unknown;
  after: unknown;
}

function actionTone(action: string): BadgeTone {
  if (/(deleted|archived|revoked|disabled|cleared|removed)/.test(action)) return "red";
  if (/(created|added|enabled|restored)/.test(action)) return "green";
  if (/(locked|unlocked)/.test(action)) return "amber";
  return "indigo";
}

function ActorLabel({ actor }: { actor: AuditItem["actor"] }) {
  const Icon = actor.type === "system" ? Bot : actor.type === "user" || actor.type === "personal_token" ? User : KeyRound;
  const byToken = actor.type === "personal_token" && actor.name ? ` (token ${actor.name})` : "";
  const text =
    actor.type === "system"
      ? "System (schedule)"
      : actor.type === "service_token"
        ? `Service token ${actor.name ?? actor.id ?? ""}`
        : actor.email
          ? `${actor.email}${byToken}`
          : actor.type === "api_key"
            ? `API key ${actor.id ?? ""}`
            : actor.role
              ? `A ${actor.role.replace("_", " ")}`
              : "Someone";
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5 text-slate-700">
      <Icon className="h-3.5 w-3.5 shrink-0 text-slate-400" aria-hidden="true" />
      <span className="truncate">{text}</span>
      {actor.role && actor.email && <span className="text-xs whitespace-nowrap text-slate-400">{actor.role.replace("_", " ")}</span>}
    </span>
  );
}

/** Audit entries, newest first; each opens to show its before/after diff. */
export function AuditList({ items, showTarget = true }: { items: AuditItem[]; showTarget?: boolean }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  return (
    <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-xs" aria-label="Audit entries">
      {items.map((item) => {
        const isOpen = !!open[item.id];
        return (
          <li key={item.id}>
            <button
              type="button"
              aria-expanded={isOpen}
              onClick={() => setOpen((o) => ({ ...o, [item.id]: !isOpen }))}
              className="grid w-full grid-cols-[1rem_9.5rem_minmax(0,1fr)_minmax(0,1.3fr)_7rem] items-center gap-3 px-4 py-2.5 text-left text-sm hover:bg-slate-50"
            >
              <ChevronRight className={cn("h-4 w-4 text-slate-400 transition-transform", isOpen && "rotate-90")} aria-hidden="true" />
              <time dateTime={item.at} title={formatDateTime(item.at)} className="text-xs text-slate-500 tabular-nums">
                {formatDateTime(item.at)}
                <span className="block text-[11px] text-slate-400">{formatRelative(item.at)}</span>
              </time>
              <ActorLabel actor={item.actor} />
              <span className="flex min-w-0 flex-wrap items-center gap-1.5">
                <Badge tone={actionTone(item.action)}>{item.action}</Badge>
                {showTarget && item.targetKey && <span className="truncate font-mono text-xs text-slate-700">{item.targetKey}</span>}
                {item.tenant && <span className="truncate text-xs text-slate-500">tenant {item.tenant}</span>}
              </span>
              <span className="truncate text-right text-xs text-slate-500">{item.environment ?? "all environments"}</span>
            </button>
            {isOpen && (
              <div className="border-t border-slate-100 bg-slate-50/60 px-11 py-3">
                <JsonDiff before={item.before} after={item.after} />
                {(item.ip || item.userAgent) && (
                  <p className="mt-3 text-[11px] text-slate-400">
                    {item.ip && <>From {item.ip}</>}
                    {item.userAgent && <> · {item.userAgent}</>}
                  </p>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
