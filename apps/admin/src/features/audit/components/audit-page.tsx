import { Archive, History, X } from "lucide-react";
import { useCallback, useState } from "react";
import { VirtualAuditList } from "../../../components/audit/audit-list";
import { Button } from "../../../components/ui/button";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input, Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { formatNumber } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useAuditEntries, type AuditFilters } from "../api/get-audit";
import { RetentionDialog } from "./retention-dialog";

const ACTIONS = [
  ["", "Any action"],
  ["flag.", "Flags"],
  ["flag_state.", "Flag state"],
  ["flag_rule", "Flag rules"],
  ["tenant_override.", "Tenant overrides"],
  ["user_override.", "User overrides"],
  ["layer_override.", "Layer overrides"],
  ["override_*", "Override layers and order"],
  ["tenant.", "Tenants"],
  ["tenant_module.", "Tenant modules"],
  ["tenant_feature.", "Tenant admins' toggles"],
  ["segment.", "Segments"],
  ["module.", "Modules"],
  ["member.", "Members"],
  ["api_key.", "API keys"],
  ["environment.", "Environments"],
  ["schedule.", "Schedules"],
  ["workspace.", "Workspace settings"],
  ["audit.", "Audit purges"],
] as const;

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The workspace's append-only log: filter by actor, flag, tenant, action and time. */
export function AuditPage() {
  const { ws, environments, can } = useWorkspaceScope();
  const [retentionOpen, setRetentionOpen] = useState(false);
  const [text, setText] = useState({ actor: "", flag: "", tenant: "" });
  const [action, setAction] = useState("");
  const [environment, setEnvironment] = useState("");
  const [range, setRange] = useState({ from: "", to: "" });
  const debounced = useDebouncedValue(text, 300);
  const filters: Omit<AuditFilters, "cursor"> = {
    actor: debounced.actor.trim() || undefined,
    flag: debounced.flag.trim() || undefined,
    tenant: debounced.tenant.trim() || undefined,
    action: action || undefined,
    environment: environment || undefined,
    from: toIso(range.from),
    to: toIso(range.to),
  };
  const audit = useAuditEntries(ws, filters);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = audit;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const total = audit.data?.pages[0]?.total ?? 0;
  const hasFilters = Object.values(text).some(Boolean) || action || environment || range.from || range.to;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to this workspace: who, when, from where, and what it was before and after."
        actions={
          can("audit:retention") && (
            <Button onClick={() => setRetentionOpen(true)}>
              <Archive className="h-4 w-4" aria-hidden="true" />
              Retention
            </Button>
          )
        }
      />
      {retentionOpen && <RetentionDialog ws={ws} open={retentionOpen} onOpenChange={setRetentionOpen} />}
      <div className="mb-4 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Input aria-label="Actor (email)" placeholder="Actor email" value={text.actor} onChange={(e) => setText({ ...text, actor: e.target.value })} />
        <Input aria-label="Flag key" placeholder="Flag key" className="font-mono text-xs" value={text.flag} onChange={(e) => setText({ ...text, flag: e.target.value })} />
        <Input aria-label="Tenant key" placeholder="Tenant key" className="font-mono text-xs" value={text.tenant} onChange={(e) => setText({ ...text, tenant: e.target.value })} />
        <Select aria-label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
          {ACTIONS.map(([value, label]) => (
            <option key={value} value={value}>{label}</option>
          ))}
        </Select>
        <Select aria-label="Environment filter" value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          <option value="">Any environment</option>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>{e.name}</option>
          ))}
        </Select>
        <Input type="datetime-local" aria-label="From" title="From" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} />
        <Input type="datetime-local" aria-label="To" title="To" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} />
      </div>
      {hasFilters && (
        <Button size="sm" variant="ghost" className="mb-3" onClick={() => { setText({ actor: "", flag: "", tenant: "" }); setAction(""); setEnvironment(""); setRange({ from: "", to: "" }); }}>
          <X className="h-3.5 w-3.5" aria-hidden="true" />
          Clear filters
        </Button>
      )}
      {audit.isPending ? (
        <TableSkeleton rows={8} columns={4} />
      ) : audit.isError ? (
        <ErrorPanel error={audit.error} onRetry={() => void audit.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={History} title={hasFilters ? "No entries match these filters" : "Nothing has changed yet"} />
      ) : (
        <>
          <VirtualAuditList items={items} total={total} onNeedMore={loadMore} />
          <p className="mt-3 text-sm text-slate-500" aria-live="polite">{formatNumber(total)} entries</p>
        </>
      )}
    </>
  );
}
