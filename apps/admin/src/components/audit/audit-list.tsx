import { Bot, ChevronRight, KeyRound, User } from "lucide-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { cn } from "../../lib/cn";
import { formatDateTime, formatRelative } from "../../lib/format";
import { Badge, type BadgeTone } from "../ui/badge";
import { JsonDiff } from "../ui/json-diff";
import { Skeleton } from "../ui/skeleton";

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
      {items.map((item) => (
        <li key={item.id}>
          <AuditRow item={item} showTarget={showTarget} isOpen={!!open[item.id]} onToggle={() => setOpen((o) => ({ ...o, [item.id]: !o[item.id] }))} />
        </li>
      ))}
    </ul>
  );
}

/**
 * The audit log's entries, rendering only those in view (`@tanstack/react-virtual`): `total`
 * entries in all, `items` loaded so far; `onNeedMore` asks for the next page when the last
 * loaded entry scrolls into view. Each entry keeps its place (`aria-posinset` of `aria-setsize`).
 */
export function VirtualAuditList({ items, total, onNeedMore }: { items: AuditItem[]; total: number; onNeedMore(): void }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = Math.max(total, items.length);
  // The virtualizer's methods change what they return as the list scrolls; this component reads them on every render and is not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => 53, overscan: 10 });
  const rows = virtualizer.getVirtualItems();
  const last = rows.at(-1)?.index ?? 0;
  useEffect(() => {
    if (last >= items.length - 1 && items.length < count) onNeedMore();
  }, [last, items.length, count, onNeedMore]);
  const paddingTop = rows[0]?.start ?? 0;
  const paddingBottom = rows.length > 0 ? virtualizer.getTotalSize() - rows.at(-1)!.end : 0;
  return (
    <div
      ref={scrollRef}
      data-virtual-scroll=""
      tabIndex={0}
      role="region"
      aria-label="Audit entries, scrollable"
      // As tall as its entries, up to the screen's height: a list has no header row to give the
      // virtualizer a first height to fill.
      style={{ height: virtualizer.getTotalSize() + 2 }}
      className="max-h-[calc(100vh-18rem)] overflow-auto rounded-lg border border-slate-200 bg-white shadow-xs"
    >
      <ul className="divide-y divide-slate-100" aria-label="Audit entries">
        {paddingTop > 0 && <li aria-hidden="true" style={{ height: paddingTop }} />}
        {rows.map((row) => {
          const item = items[row.index];
          return (
            <li key={item?.id ?? `loading-${row.index}`} ref={virtualizer.measureElement} data-index={row.index} aria-posinset={row.index + 1} aria-setsize={count}>
              {item ? (
                <AuditRow item={item} showTarget isOpen={!!open[item.id]} onToggle={() => setOpen((o) => ({ ...o, [item.id]: !o[item.id] }))} />
              ) : (
                <div className="px-4 py-3">
                  <Skeleton className="h-5 w-full" />
                  <span className="sr-only">Loading entry {row.index + 1}</span>
                </div>
              )}
            </li>
          );
        })}
        {paddingBottom > 0 && <li aria-hidden="true" style={{ height: paddingBottom }} />}
      </ul>
    </div>
  );
}

function AuditRow({ item, showTarget, isOpen, onToggle }: { item: AuditItem; showTarget: boolean; isOpen: boolean; onToggle(): void }) {
  return (
    <>
      <button
        type="button"
        aria-expanded={isOpen}
        onClick={onToggle}
        className="grid w-full grid-cols-[1rem_9.5rem_minmax(0,1fr)_minmax(0,1.3fr)_7rem] items-center gap-3 px-4 py-2.5 text-left text-sm hover:bg-slate-50"
      >
        <ChevronRight className={cn("h-4 w-4 text-slate-400 transition-transform", isOpen && "rotate-90")} aria-hidden="true" />
        <time dateTime={item.at} title={formatDateTime(item.at)} className="text-xs text-slate-500 tabular-nums">
          {formatDateTime(item.at)}
          <span className="block text-[11px] text-slate-500">{formatRelative(item.at)}</span>
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
            <p className="mt-3 text-[11px] text-slate-500">
              {item.ip && <>From {item.ip}</>}
              {item.userAgent && <> · {item.userAgent}</>}
            </p>
          )}
        </div>
      )}
    </>
  );
}
