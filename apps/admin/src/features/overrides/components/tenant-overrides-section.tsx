import type { BulkOverridesBody, BulkOverridesResponse, TenantOverrideResponse } from "@ensign/contracts/overrides";
import type { Variant } from "@ensign/contracts/targeting";
import { Building2, Lock, LockOpen, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { useBulkOverrides } from "../../../components/overrides/bulk-overrides";
import { BulkPreview } from "../../../components/overrides/bulk-preview";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Checkbox, Input, Select } from "../../../components/ui/input";
import { Pagination } from "../../../components/ui/pagination";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useFindTenants } from "../api/find-tenants";
import { useClearTenantOverride, useLockTenantOverride, useSetTenantOverride, useTenantOverrides } from "../api/tenant-overrides";

export interface OverrideFlag {
  key: string;
  name: string;
  variants: Variant[];
  onVariant: string;
  offVariant: string;
}

const toIso = (local: string) => (local ? new Date(local).toISOString() : null);

/** Per-tenant overrides of one flag in one environment: set, lock, expire, clear, in bulk too. */
export function TenantOverridesSection({ flag }: { flag: OverrideFlag }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const canWrite = can("overrides:write");
  const canLock = can("overrides:lock");
  const [search, setSearch] = useState("");
  const [lockedOnly, setLockedOnly] = useState(false);
  const [page, setPage] = useState(1);
  const debounced = useDebouncedValue(search);
  const overrides = useTenantOverrides(ws, env, flag.key, { search: debounced || undefined, locked: lockedOnly || undefined, page });
  const set = useSetTenantOverride(ws, env, flag.key);
  const lock = useLockTenantOverride(ws, env, flag.key);
  const clear = useClearTenantOverride(ws, env, flag.key);
  const bulk = useBulkOverrides(ws, env);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<{ body: BulkOverridesBody; preview: BulkOverridesResponse; describe: string } | null>(null);

  const items = overrides.data?.items ?? [];
  const allSelected = items.length > 0 && items.every((o) => selected.has(o.tenant.key));
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(items.map((o) => o.tenant.key)));
  const toggleOne = (key: string) => setSelected((s) => { const n = new Set(s); if (n.has(key)) n.delete(key); else n.add(key); return n; });

  const previewBulk = (body: BulkOverridesBody, describe: string) =>
    bulk.mutate({ ...body, preview: true }, { onSuccess: (preview) => setPending({ body, preview, describe }) });
  const applyBulk = () =>
    pending && bulk.mutate({ ...pending.body, preview: false }, { onSuccess: (r) => { toast.success(`${r.changes.length} overrides changed`); setPending(null); setSelected(new Set()); } });

  return (
    <div className="space-y-6">
      <Card title={`Tenant overrides in ${environment.name}`} description="A locked override beats the allow list and rules, and tenant admins cannot change it.">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <div className="flex items-center gap-3">
            <SearchInput label="Search tenants" value={search} onChange={(v) => { setSearch(v); setPage(1); }} className="w-64" />
            <Checkbox label="Locked only" checked={lockedOnly} onChange={(e) => { setLockedOnly(e.target.checked); setPage(1); }} />
          </div>
          {selected.size > 0 && canWrite && (
            <div className="flex items-center gap-2 rounded-md bg-indigo-50 px-2 py-1" role="toolbar" aria-label="Bulk actions">
              <span className="px-1 text-xs font-medium text-indigo-800">{selected.size} selected</span>
              {canLock && <Button size="sm" onClick={() => previewBulk({ action: "lock", flag: flag.key, tenants: [...selected] }, `Lock ${flag.name}`)}><Lock className="h-3.5 w-3.5" aria-hidden="true" />Lock</Button>}
              {canLock && <Button size="sm" onClick={() => previewBulk({ action: "unlock", flag: flag.key, tenants: [...selected] }, `Unlock ${flag.name}`)}><LockOpen className="h-3.5 w-3.5" aria-hidden="true" />Unlock</Button>}
              <Button size="sm" variant="danger-ghost" onClick={() => previewBulk({ action: "clear", flag: flag.key, tenants: [...selected] }, `Clear the overrides of ${flag.name}`)}><Trash2 className="h-3.5 w-3.5" aria-hidden="true" />Clear</Button>
            </div>
          )}
        </div>
        {overrides.isPending ? (
          <TableSkeleton rows={4} columns={5} />
        ) : overrides.isError ? (
          <ErrorPanel error={overrides.error} onRetry={() => void overrides.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState icon={Building2} title="No tenant overrides">{debounced || lockedOnly ? "None match." : "Every tenant follows the rules and the fallthrough."}</EmptyState>
        ) : (
          <>
            <Table label="Tenant overrides">
              <THead>
                <tr>
                  {canWrite && <Th className="w-10"><input type="checkbox" aria-label="Select all tenants on this page" checked={allSelected} onChange={toggleAll} className="accent-indigo-600" /></Th>}
                  <Th>Tenant</Th><Th>Serves</Th><Th>Lock</Th><Th>Expires</Th><Th>Set by</Th>{canWrite && <Th className="w-28"><span className="sr-only">Actions</span></Th>}
                </tr>
              </THead>
              <TBody>
                {items.map((o) => (
                  <OverrideRow key={o.id} o={o} flag={flag} canWrite={canWrite} canLock={canLock} selected={selected.has(o.tenant.key)} onSelect={() => toggleOne(o.tenant.key)}
                    onVariant={(variant) => set.mutate({ tenant: o.tenant.key, body: { variant }, version: o.version })}
                    onLock={(locked) => lock.mutate({ tenant: o.tenant.key, locked }, { onSuccess: () => toast.success(`${o.tenant.name}: ${locked ? "locked" : "unlocked"}`) })}
                    onExpiry={(expiresAt) => set.mutate({ tenant: o.tenant.key, body: { variant: o.variant, expiresAt }, version: o.version })}
                    onClear={() => clear.mutate(o.tenant.key, { onSuccess: () => toast.success(`Override of ${o.tenant.name} cleared`) })} />
                ))}
              </TBody>
            </Table>
            <Pagination page={overrides.data.page} pageSize={overrides.data.pageSize} total={overrides.data.total} onPageChange={setPage} noun="overrides" />
          </>
        )}
      </Card>
      {canWrite && <AddTenantOverride flag={flag} onAdd={(tenant, variant, locked, expiresAt) => set.mutate({ tenant, body: { variant, locked: canLock ? locked : undefined, expiresAt } }, { onSuccess: () => toast.success(`Override set for ${tenant}`) })} canLock={canLock} isPending={set.isPending} />}
      <ConfirmDialog open={pending !== null} onOpenChange={(open) => !open && setPending(null)} title="Confirm the bulk change"
        size="lg" confirmLabel={`Apply to ${new Set(pending?.preview.changes.map((c) => c.tenant)).size} tenants`} disabled={!pending?.preview.changes.length} isPending={bulk.isPending} onConfirm={applyBulk}>
        {pending && <BulkPreview preview={pending.preview} describe={pending.describe} />}
      </ConfirmDialog>
    </div>
  );
}

function OverrideRow({ o, flag, canWrite, canLock, selected, onSelect, onVariant, onLock, onExpiry, onClear }: { o: TenantOverrideResponse; flag: OverrideFlag; canWrite: boolean; canLock: boolean; selected: boolean; onSelect(): void; onVariant(v: string): void; onLock(locked: boolean): void; onExpiry(iso: string | null): void; onClear(): void }) {
  const editable = canWrite && (!o.locked || canLock);
  return (
    <Tr className={o.isExpired ? "bg-slate-50" : undefined}>
      {canWrite && <Td><input type="checkbox" aria-label={`Select ${o.tenant.name}`} checked={selected} onChange={onSelect} className="accent-indigo-600" /></Td>}
      <Td className="whitespace-nowrap"><span className="font-medium text-slate-900">{o.tenant.name}</span><span className="block font-mono text-xs text-slate-500">{o.tenant.key}</span></Td>
      <Td>
        {editable ? (
          <Select aria-label={`Variant for ${o.tenant.name}`} value={o.variant} onChange={(e) => onVariant(e.target.value)} className="h-8 w-24 text-xs">
            {flag.variants.map((v) => <option key={v.key} value={v.key}>{v.key}</option>)}
          </Select>
        ) : (
          <Badge tone={o.variant === flag.offVariant ? "neutral" : "green"}>{o.variant}</Badge>
        )}
      </Td>
      <Td>
        {canLock ? (
          <Button size="sm" variant={o.locked ? "secondary" : "ghost"} aria-pressed={o.locked} aria-label={`${o.locked ? "Unlock" : "Lock"} ${o.tenant.name}`} onClick={() => onLock(!o.locked)}>
            {o.locked ? <Lock className="h-3.5 w-3.5 text-amber-600" aria-hidden="true" /> : <LockOpen className="h-3.5 w-3.5" aria-hidden="true" />}
            {o.locked ? "Locked" : "Unlocked"}
          </Button>
        ) : o.locked ? <Badge tone="amber"><Lock className="h-3 w-3" aria-hidden="true" />locked</Badge> : <span className="text-xs text-slate-400">—</span>}
      </Td>
      <Td className="text-xs">
        {editable ? (
          <Input type="datetime-local" aria-label={`Expiry for ${o.tenant.name}`} className="h-8 w-44 text-xs" defaultValue={o.expiresAt ? new Date(new Date(o.expiresAt).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : ""} onBlur={(e) => { const next = toIso(e.target.value); if (next !== o.expiresAt) onExpiry(next); }} />
        ) : o.expiresAt ? formatDateTime(o.expiresAt) : "never"}
        {o.isExpired && <Badge tone="red" className="ml-1">expired</Badge>}
      </Td>
      <Td className="text-xs text-slate-500">{o.source === "tenant_admin" ? "tenant admin" : "workspace admin"}{o.updatedBy && <span className="block">{o.updatedBy}</span>}<span className="block text-slate-400">{formatRelative(o.updatedAt)}</span></Td>
      {canWrite && <Td className="text-right">{editable && <Button size="icon" variant="danger-ghost" aria-label={`Clear override of ${o.tenant.name}`} onClick={onClear}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>}</Td>}
    </Tr>
  );
}

function AddTenantOverride({ flag, canLock, isPending, onAdd }: { flag: OverrideFlag; canLock: boolean; isPending: boolean; onAdd(tenant: string, variant: string, locked: boolean, expiresAt: string | null): void }) {
  const { ws } = useWorkspaceScope();
  const [tenant, setTenant] = useState("");
  const [variant, setVariant] = useState(flag.onVariant);
  const [locked, setLocked] = useState(false);
  const [expires, setExpires] = useState("");
  const debounced = useDebouncedValue(tenant, 250);
  const matches = useFindTenants(ws, debounced);
  return (
    <Card title="Override for a tenant">
      <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); if (tenant) onAdd(tenant.trim(), variant, locked, toIso(expires)); }}>
        <label className="text-sm font-medium text-slate-700">
          Tenant
          <Input list="override-tenants" className="mt-1 w-64 font-mono text-xs" placeholder="search by key or name" value={tenant} onChange={(e) => setTenant(e.target.value)} />
          <datalist id="override-tenants">{(matches.data?.items ?? []).map((t) => <option key={t.key} value={t.key}>{t.name}</option>)}</datalist>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Serves
          <Select className="mt-1 w-36" value={variant} onChange={(e) => setVariant(e.target.value)}>{flag.variants.map((v) => <option key={v.key} value={v.key}>{v.key}</option>)}</Select>
        </label>
        <label className="text-sm font-medium text-slate-700">Expires<Input type="datetime-local" className="mt-1 w-52" value={expires} onChange={(e) => setExpires(e.target.value)} /></label>
        {canLock && <Checkbox className="mb-2" label="Lock (tenant admins cannot change it)" checked={locked} onChange={(e) => setLocked(e.target.checked)} />}
        <Button type="submit" variant="primary" disabled={!tenant.trim()} isLoading={isPending}><Plus className="h-4 w-4" aria-hidden="true" />Set override</Button>
      </form>
    </Card>
  );
}
