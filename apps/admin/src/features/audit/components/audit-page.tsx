import { Archive, ChevronLeft, ChevronRight, History, X } from "lucide-react";
import { useState } from "react";
import { AuditList } from "../../../components/audit/audit-list";
import { Button } from "../../../components/ui/button";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input, Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { formatNumber } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useAudit, type AuditFilters } from "../api/get-audit";
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
  const [cursors, setCursors] = useState<string[]>([]);
  const debounced = useDebouncedValue(text, 300);
  const filters: AuditFilters = {
    actor: debounced.actor.trim() || undefined,
    flag: debounced.flag.trim() || undefined,
    tenant: debounced.tenant.trim() || undefined,
    action: action || undefined,
    environment: environment || undefined,
    from: toIso(range.from),
    to: toIso(range.to),
    cursor: cursors.at(-1),
  };
  const audit = useAudit(ws, filters);
  const resetPaging = () => setCursors([]);
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
        <Input aria-label="Actor (email)" placeholder="Actor email" value={text.actor} onChange={(e) => { setText({ ...text, actor: e.target.value }); resetPaging(); }} />
        <Input aria-label="Flag key" placeholder="Flag key" className="font-mono text-xs" value={text.flag} onChange={(e) => { setText({ ...text, flag: e.target.value }); resetPaging(); }} />
        <Input aria-label="Tenant key" placeholder="Tenant key" className="font-mono text-xs" value={text.tenant} onChange={(e) => { setText({ ...text, tenant: e.target.value }); resetPaging(); }} />
        <Select aria-label="Action" value={action} onChange={(e) => { setAction(e.target.value); resetPaging(); }}>
          {ACTIONS.map(([value, label]) => (
            <option key={value} value={value}>{label}</option>
          ))}
        </Select>
        <Select aria-label="Environment filter" value={environment} onChange={(e) => { setEnvironment(e.target.value); resetPaging(); }}>
          <option value="">Any environment</option>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>{e.name}</option>
          ))}
        </Select>
        <Input type="datetime-local" aria-label="From" title="From" value={range.from} onChange={(e) => { setRange({ ...range, from: e.target.value }); resetPaging(); }} />
        <Input type="datetime-local" aria-label="To" title="To" value={range.to} onChange={(e) => { setRange({ ...range, to: e.target.value }); resetPaging(); }} />
      </div>
      {hasFilters && (
        <Button size="sm" variant="ghost" className="mb-3" onClick={() => { setText({ actor: "", flag: "", tenant: "" }); setAction(""); setEnvironment(""); setRange({ from: "", to: "" }); resetPaging(); }}>
          <X className="h-3.5 w-3.5" aria-hidden="true" />
          Clear filters
        </Button>
      )}
      {audit.isPending ? (
        <TableSkeleton rows={8} columns={4} />
      ) : audit.isError ? (
        <ErrorPanel error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.data.items.length === 0 ? (
        <EmptyState icon={History} title={hasFilters ? "No entries match these filters" : "Nothing has changed yet"} />
      ) : (
        <>
          <AuditList items={audit.data.items} />
          <nav aria-label="Pagination" className="mt-3 flex items-center justify-between text-sm text-slate-500">
            <p>{formatNumber(audit.data.total)} entries</p>
            <div className="flex gap-2">
              <Button size="sm" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
                <ChevronLeft className="h-4 w-4" aria-hidden="true" />
                Newer
              </Button>
              <Button size="sm" disabled={!audit.data.nextCursor} onClick={() => audit.data.nextCursor && setCursors((c) => [...c, audit.data.nextCursor!])}>
                Older
                <ChevronRight className="h-4 w-4" aria-hidden="true" />
              </Button>
            </div>
          </nav>
        </>
      )}
    </>
  );
}
