import type { TenantDetailFlag, TenantDetailResponse } from "@ensign/contracts/tenants";
import { ArrowLeft } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { JsonEditor, parseJson } from "../../../components/ui/json-editor";
import { SearchInput } from "../../../components/ui/search-input";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { Switch } from "../../../components/ui/switch";
import { Table, TBody, Th, THead } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { formatDateTime } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useTenant } from "../api/get-tenant";
import { useSetTenantModule, useUpdateTenant } from "../api/save-tenant";
import { useClearTenantFlagOverride, useLockTenantFlagOverride, useSetTenantFlagOverride } from "../api/tenant-flag-overrides";
import { TenantFlagRow, type TenantFlagActions } from "./tenant-flag-row";

/** One tenant: its modules, attributes, and every flag's effective value with the reason. */
export function TenantPage() {
  const { tenant: key = "" } = useParams();
  const { ws, env, can } = useWorkspaceScope();
  const tenant = useTenant(ws, env, key);
  const setModule = useSetTenantModule(ws);
  const [search, setSearch] = useState("");
  if (tenant.isPending) return <PageSkeleton />;
  if (tenant.isError) return <ErrorPanel error={tenant.error} onRetry={() => void tenant.refetch()} title={`Tenant ${key} could not be loaded`} />;
  const t = tenant.data;
  const needle = search.trim().toLowerCase();
  const values = t.flagValues.filter((f) => !needle || `${f.key} ${f.name}`.toLowerCase().includes(needle));
  const canWrite = can("definitions:write");
  return (
    <>
      <Link to={`/w/${ws}/tenants`} className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800"><ArrowLeft className="h-4 w-4" aria-hidden="true" />Tenants</Link>
      <header className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t.name}</h1>
        <p className="mt-1 font-mono text-sm text-slate-500">{t.key}</p>
        <p className="mt-1 text-xs text-slate-400">Created {formatDateTime(t.createdAt)}</p>
      </header>
      <TenantFlagsCard tenant={t} values={values} search={search} onSearch={setSearch} />
      <div className="mt-6 grid items-start gap-6 lg:grid-cols-2">
        <Card title="Modules" description="Switched off: every flag of the module is off for this tenant and cannot be enabled.">
          {t.modules.length === 0 ? (
            <p className="text-sm text-slate-500">This workspace has no modules.</p>
          ) : (
            <ul className="space-y-2.5">
              {t.modules.map((m) => (
                <li key={m.key} className="flex items-center justify-between gap-3">
                  <span className="text-sm"><span className="font-medium text-slate-800">{m.name}</span> <span className="font-mono text-xs text-slate-400">{m.key}</span></span>
                  <Switch size="sm" checked={m.enabled} label={`${m.name} for ${t.name}`} disabled={!canWrite || setModule.isPending} onCheckedChange={(enabled) => setModule.mutate({ key: t.key, module: m.key, enabled }, { onSuccess: () => toast.success(`${m.name} ${enabled ? "switched on" : "switched off"} for ${t.name}`) })} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <AttributesCard tenantKey={t.key} version={t.version} attributes={t.attributes} canWrite={canWrite} />
      </div>
    </>
  );
}

/** Every flag's value for the tenant; switching one sets the tenant's override of it. */
function TenantFlagsCard({ tenant, values, search, onSearch }: { tenant: TenantDetailResponse; values: TenantDetailFlag[]; search: string; onSearch(value: string): void }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const set = useSetTenantFlagOverride(ws, env, tenant.key);
  const lock = useLockTenantFlagOverride(ws, env, tenant.key);
  const clear = useClearTenantFlagOverride(ws, env, tenant.key);
  const pendingFlag = set.isPending ? set.variables.flag : lock.isPending ? lock.variables.flag : clear.isPending ? clear.variables.flag : undefined;
  const actions: TenantFlagActions = {
    onSet: (f, body) =>
      set.mutate({ flag: f.key, body, version: f.override?.version }, {
        onSuccess: () => toast.success(body.expiresAt !== undefined ? `${f.name}: ${body.expiresAt ? `override expires ${formatDateTime(body.expiresAt)}` : "override never expires"}` : `${f.name} set to ${body.variant} for ${tenant.name}`),
      }),
    onLock: (f, locked) => f.override && lock.mutate({ flag: f.key, locked, version: f.override.version }, { onSuccess: () => toast.success(`${f.name}: override ${locked ? "locked" : "unlocked"}`) }),
    onClear: (f) => f.override && clear.mutate({ flag: f.key, version: f.override.version }, { onSuccess: () => toast.success(`${f.name}: override cleared, ${tenant.name} follows the flag again`) }),
  };
  return (
    <Card title={`Flags in ${environment.name}`} description="What this tenant gets and why. Switching a flag here sets an override for this tenant; a locked override cannot be changed by the tenant's own admins." bodyClassName="p-0">
      <div className="border-b border-slate-100 px-5 py-3"><SearchInput label="Search flags" value={search} onChange={onSearch} /></div>
      <Table label="Flag values" className="rounded-none border-0 shadow-none">
        <THead><tr><Th>Flag</Th><Th>Value</Th><Th>Decided by</Th><Th>Override</Th></tr></THead>
        <TBody>
          {values.map((f) => <TenantFlagRow key={f.key} ws={ws} tenantName={tenant.name} f={f} canWrite={can("overrides:write")} canLock={can("overrides:lock")} isPending={pendingFlag === f.key} actions={actions} />)}
        </TBody>
      </Table>
    </Card>
  );
}

function AttributesCard({ tenantKey, version, attributes, canWrite }: { tenantKey: string; version: number; attributes: Record<string, unknown>; canWrite: boolean }) {
  const { ws } = useWorkspaceScope();
  const update = useUpdateTenant(ws);
  const [text, setText] = useState(() => JSON.stringify(attributes, null, 2));
  const [error, setError] = useState<string>();
  const parsed = parseJson(text);
  const problem = !parsed.ok ? parsed.error : typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value) ? "Attributes are a JSON object" : undefined;
  return (
    <Card title="Attributes" description="Rules read them as tenant.<name>, e.g. tenant.plan.">
      <JsonEditor aria-label="Tenant attributes (JSON)" rows={8} value={text} readOnly={!canWrite} aria-invalid={!!problem} onChange={(e) => setText(e.target.value)} />
      {(problem || error) && <p role="alert" className="mt-2 text-xs text-red-600">{problem ?? error}</p>}
      {canWrite && (
        <div className="mt-3 flex justify-end">
          <Button size="sm" variant="primary" disabled={!!problem || text === JSON.stringify(attributes, null, 2)} isLoading={update.isPending}
            onClick={() => parsed.ok && update.mutate({ key: tenantKey, version, body: { attributes: parsed.value as Record<string, never> } }, { onSuccess: () => { setError(undefined); toast.success("Attributes saved"); }, onError: (e) => setError(errorMessage(e)) })}>
            Save attributes
          </Button>
        </div>
      )}
    </Card>
  );
}
