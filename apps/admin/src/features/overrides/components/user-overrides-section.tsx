import { UserRound, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input, Select } from "../../../components/ui/input";
import { Pagination } from "../../../components/ui/pagination";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useClearUserOverride, useSetUserOverride, useUserOverrides } from "../api/user-overrides";
import type { OverrideFlag } from "./tenant-overrides-section";

/** Per-user overrides (by targeting key), e.g. for QA or a customer's champion; optionally expiring. */
export function UserOverridesSection({ flag }: { flag: OverrideFlag }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const canWrite = can("overrides:write");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const debounced = useDebouncedValue(search);
  const overrides = useUserOverrides(ws, env, flag.key, { search: debounced || undefined, page });
  const set = useSetUserOverride(ws, env, flag.key);
  const clear = useClearUserOverride(ws, env, flag.key);
  const [form, setForm] = useState({ userKey: "", variant: flag.onVariant, expires: "" });
  const [error, setError] = useState<string>();
  const add = () => {
    setError(undefined);
    set.mutate(
      { userKey: form.userKey.trim(), body: { variant: form.variant, expiresAt: form.expires ? new Date(form.expires).toISOString() : null } },
      { onSuccess: () => { toast.success(`Override set for ${form.userKey}`); setForm({ ...form, userKey: "", expires: "" }); }, onError: (e) => setError(errorMessage(e)) },
    );
  };
  return (
    <Card title={`User overrides in ${environment.name}`} description="Win over everything except a disabled flag, a module switched off, or an unmet prerequisite.">
      {canWrite && (
        <form className="mb-4 flex flex-wrap items-end gap-3" onSubmit={(e) => { e.preventDefault(); if (form.userKey.trim()) add(); }}>
          <label className="text-sm font-medium text-slate-700">User key<Input className="mt-1 w-56 font-mono text-xs" placeholder="user-123" value={form.userKey} onChange={(e) => setForm({ ...form, userKey: e.target.value })} /></label>
          <label className="text-sm font-medium text-slate-700">Serves<Select className="mt-1 w-36" value={form.variant} onChange={(e) => setForm({ ...form, variant: e.target.value })}>{flag.variants.map((v) => <option key={v.key} value={v.key}>{v.key}</option>)}</Select></label>
          <label className="text-sm font-medium text-slate-700">Expires<Input type="datetime-local" className="mt-1 w-52" value={form.expires} onChange={(e) => setForm({ ...form, expires: e.target.value })} /></label>
          <Button type="submit" variant="primary" disabled={!form.userKey.trim()} isLoading={set.isPending}><Plus className="h-4 w-4" aria-hidden="true" />Add override</Button>
          {error && <p role="alert" className="w-full text-xs text-red-600">{error}</p>}
        </form>
      )}
      <SearchInput label="Search user keys" value={search} onChange={(v) => { setSearch(v); setPage(1); }} className="mb-3" />
      {overrides.isPending ? (
        <TableSkeleton rows={3} columns={4} />
      ) : overrides.isError ? (
        <ErrorPanel error={overrides.error} onRetry={() => void overrides.refetch()} />
      ) : overrides.data.items.length === 0 ? (
        <EmptyState icon={UserRound} title="No user overrides" />
      ) : (
        <>
          <Table label="User overrides">
            <THead><tr><Th>User</Th><Th>Serves</Th><Th>Expires</Th><Th>Set by</Th>{canWrite && <Th className="w-16"><span className="sr-only">Actions</span></Th>}</tr></THead>
            <TBody>
              {overrides.data.items.map((o) => (
                <Tr key={o.id} className={o.isExpired ? "bg-slate-50" : undefined}>
                  <Td className="font-mono text-xs text-slate-800">{o.userKey}</Td>
                  <Td><Badge tone={o.variant === flag.offVariant ? "neutral" : "green"}>{o.variant}</Badge></Td>
                  <Td className="text-xs">{o.expiresAt ? formatDateTime(o.expiresAt) : "permanent"}{o.isExpired && <Badge tone="red" className="ml-1">expired</Badge>}</Td>
                  <Td className="text-xs text-slate-500">{o.updatedBy ?? "—"}<span className="block text-slate-400">{formatRelative(o.updatedAt)}</span></Td>
                  {canWrite && <Td className="text-right"><Button size="icon" variant="danger-ghost" aria-label={`Remove override of ${o.userKey}`} onClick={() => clear.mutate(o.userKey)}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button></Td>}
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination page={overrides.data.page} pageSize={overrides.data.pageSize} total={overrides.data.total} onPageChange={setPage} noun="overrides" />
        </>
      )}
    </Card>
  );
}
