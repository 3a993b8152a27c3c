import type { BulkOverridesBody, BulkOverridesResponse } from "@ensign/contracts/overrides";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { Building2, Power, PowerOff, X } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { useBulkOverrides } from "../../../components/overrides/bulk-overrides";
import { BulkPreview } from "../../../components/overrides/bulk-preview";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { SortableTh, Td, Th } from "../../../components/ui/table";
import { VirtualTable } from "../../../components/ui/virtual-table";
import { formatDateTime, formatNumber } from "../../../lib/format";
import { toast } from "../../../components/ui/toaster";
import { Tooltip } from "../../../components/ui/tooltip";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useTenantRows, type TenantFilters } from "../api/get-tenants";

/** A flag the tenants page can filter by and act on; the app passes them in. */
export interface FlagOption {
  key: string;
  name: string;
  onVariant: string;
  offVariant: string;
}

export function FlagValueBadge({ value }: { value: TenantFlagValue | undefined }) {
  if (!value) return <span className="text-xs text-slate-400">—</span>;
  return (
    <Tooltip content={<span>{value.reason} · <span className="font-mono">{value.detail}</span></span>}>
      <button type="button" className="inline-flex items-center" aria-label={`${value.isOn ? "on" : "off"} (${value.reason}, ${value.detail})`}>
        <Badge tone={value.isOn ? "green" : "neutral"}>{value.isOn ? "on" : "off"}{value.variant && typeof value.value !== "boolean" && ` · ${value.variant}`}</Badge>
      </button>
    </Tooltip>
  );
}

export function TenantsPage({ flags }: { flags: FlagOption[] }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const canBulk = can("overrides:write");
  const [search, setSearch] = useState("");
  const [flag, setFlag] = useState("");
  const [flagState, setFlagState] = useState<"" | "on" | "off">("");
  const [sort, setSort] = useState<{ field: TenantFilters["sort"]; order: "asc" | "desc" }>({ field: "name", order: "asc" });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [actionFlag, setActionFlag] = useState("");
  const [pending, setPending] = useState<{ body: BulkOverridesBody; preview: BulkOverridesResponse; describe: string } | null>(null);
  const debounced = useDebouncedValue(search);
  const filters: Omit<TenantFilters, "page"> = { search: debounced || undefined, flag: flag && flagState ? flag : undefined, flagState: flag && flagState ? flagState : undefined, show: flag ? [flag] : undefined, sort: sort.field, order: sort.order };
  const tenants = useTenantRows(ws, env, filters);
  const bulk = useBulkOverrides(ws, env);
  const items = tenants.loadedRows();
  const allSelected = items.length > 0 && items.every((t) => selected.has(t.key));
  const flagName = (key: string) => flags.find((f) => f.key === key)?.name ?? key;
  const onSort = (field: TenantFilters["sort"]) => setSort((s) => ({ field, order: s.field === field && s.order === "asc" ? "desc" : "asc" }));
  const toggleOne = (key: string) => setSelected((s) => { const n = new Set(s); if (n.has(key)) n.delete(key); else n.add(key); return n; });

  const preview = (body: BulkOverridesBody, describe: string) => bulk.mutate({ ...body, preview: true }, { onSuccess: (result) => setPending({ body, preview: result, describe }) });
  const apply = () =>
    pending && bulk.mutate({ ...pending.body, preview: false }, {
      onSuccess: (r) => {
        toast.success(`${pending.describe}: ${r.changes.length} override${r.changes.length === 1 ? "" : "s"} changed`);
        setPending(null);
        setSelected(new Set());
      },
    });
  const chosen = flags.find((f) => f.key === actionFlag);

  return (
    <>
      <PageHeader title="Tenants" description={`Your customers, and their flags' effective values in ${environment.name}.`} />
      <div className="mb-4 flex flex-wrap items-center gap-2">
        <SearchInput label="Search tenants" placeholder="Search by name or key" value={search} onChange={setSearch} />
        <Select aria-label="Show flag" value={flag} onChange={(e) => setFlag(e.target.value)} className="w-60">
          <option value="">Show a flag's value…</option>
          {flags.map((f) => <option key={f.key} value={f.key}>{f.name}</option>)}
        </Select>
        {flag && (
          <Select aria-label="Flag state filter" value={flagState} onChange={(e) => setFlagState(e.target.value as "" | "on" | "off")} className="w-40">
            <option value="">On or off</option>
            <option value="on">Only where on</option>
            <option value="off">Only where off</option>
          </Select>
        )}
        {(flag || debounced) && <Button size="sm" variant="ghost" onClick={() => { setFlag(""); setFlagState(""); setSearch(""); }}><X className="h-3.5 w-3.5" aria-hidden="true" />Clear</Button>}
      </div>
      {selected.size > 0 && canBulk && (
        <div role="toolbar" aria-label="Bulk actions" className="mb-3 flex flex-wrap items-center gap-2 rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2">
          <span className="text-sm font-medium text-indigo-900">{selected.size} selected</span>
          <Select aria-label="Flag for the bulk action" value={actionFlag} onChange={(e) => setActionFlag(e.target.value)} className="h-8 w-56 text-xs">
            <option value="">Choose a flag…</option>
            {flags.map((f) => <option key={f.key} value={f.key}>{f.name}</option>)}
          </Select>
          <Button size="sm" disabled={!chosen} isLoading={bulk.isPending && !pending} onClick={() => chosen && preview({ action: "set", flag: chosen.key, tenants: [...selected] }, `Enable ${chosen.name} for the selected tenants`)}>
            <Power className="h-3.5 w-3.5 text-emerald-600" aria-hidden="true" />Enable for selected
          </Button>
          <Button size="sm" disabled={!chosen} onClick={() => chosen && preview({ action: "set", flag: chosen.key, variant: chosen.offVariant, tenants: [...selected] }, `Disable ${chosen.name} for the selected tenants`)}>
            <PowerOff className="h-3.5 w-3.5" aria-hidden="true" />Disable for selected
          </Button>
          <span className="mx-1 h-5 w-px bg-indigo-200" aria-hidden="true" />
          <Button size="sm" variant="danger-ghost" onClick={() => preview({ action: "disable_all", tenants: [...selected] }, "Disable all features for the selected tenants")}>Disable all features</Button>
          <Button size="sm" variant="ghost" className="ml-auto" onClick={() => setSelected(new Set())}>Deselect</Button>
        </div>
      )}
      {tenants.isPending ? (
        <TableSkeleton rows={10} columns={5} />
      ) : tenants.isError ? (
        <ErrorPanel error={tenants.error} onRetry={() => void tenants.refetch()} />
      ) : tenants.total === 0 ? (
        <EmptyState icon={Building2} title="No tenants match">{flagState ? `No tenant has ${flagName(flag)} ${flagState} in ${environment.name}.` : "Try another search."}</EmptyState>
      ) : (
        <>
          <VirtualTable
            label="Tenants"
            className={tenants.isPlaceholder ? "opacity-70 transition-opacity" : undefined}
            total={tenants.total}
            rowAt={tenants.rowAt}
            rowKey={(t) => t.id}
            onRangeChange={tenants.onRangeChange}
            columns={(canBulk ? 1 : 0) + 4 + (flag ? 1 : 0)}
            header={
              <>
                {canBulk && <Th className="w-10"><input type="checkbox" className="accent-indigo-600" aria-label="Select every tenant loaded" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((t) => t.key)))} /></Th>}
                <SortableTh field="name" label="Tenant" sort={sort} onSort={onSort} />
                <Th>Attributes</Th>
                <Th>Modules</Th>
                <SortableTh field="createdAt" label="Created" sort={sort} onSort={onSort} />
                {flag && <Th>{flagName(flag)}</Th>}
              </>
            }
            renderRow={(t) => (
              <>
                {canBulk && <Td><input type="checkbox" className="accent-indigo-600" aria-label={`Select ${t.name}`} checked={selected.has(t.key)} onChange={() => toggleOne(t.key)} /></Td>}
                <Td>
                  <Link to={`/w/${ws}/tenants/${encodeURIComponent(t.key)}`} className="group block">
                    <span className="font-medium text-slate-900 group-hover:text-indigo-700">{t.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{t.key}</span>
                  </Link>
                </Td>
                <Td className="max-w-xs">
                  <span className="flex flex-wrap gap-1">
                    {Object.entries(t.attributes).slice(0, 4).map(([k, v]) => <Badge key={k}><span className="text-slate-500">{k}</span> {String(typeof v === "object" ? JSON.stringify(v) : v)}</Badge>)}
                  </span>
                </Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {t.modules.length === 0 ? <span className="text-xs text-slate-400">—</span> : t.modules.map((m) => <Badge key={m.key} tone={m.enabled ? "sky" : "neutral"} className={m.enabled ? undefined : "line-through"} title={m.enabled ? `${m.name}: on` : `${m.name}: switched off`}>{m.key}</Badge>)}
                  </span>
                </Td>
                <Td className="text-xs whitespace-nowrap text-slate-500"><time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time></Td>
                {flag && <Td><FlagValueBadge value={t.flags?.[flag]} /></Td>}
              </>
            )}
          />
          <p className="mt-3 text-sm text-slate-500" aria-live="polite">{formatNumber(tenants.total)} {tenants.total === 1 ? "tenant" : "tenants"}</p>
        </>
      )}
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && setPending(null)}
        title="Confirm the bulk change"
        size="lg"
        tone={pending?.body.action === "disable_all" ? "danger" : "primary"}
        confirmLabel={pending ? `Apply to ${new Set(pending.preview.changes.map((c) => c.tenant)).size} tenants` : "Apply"}
        disabled={!pending?.preview.changes.length}
        isPending={bulk.isPending}
        onConfirm={apply}
      >
        {pending && <BulkPreview preview={pending.preview} describe={pending.describe} />}
      </ConfirmDialog>
    </>
  );
}
