import type { TenantDetailFlag } from "@ensign/contracts/tenants";
import { ArrowLeft, Lock } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { JsonEditor, parseJson } from "../../../components/ui/json-editor";
import { SearchInput } from "../../../components/ui/search-input";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { Switch } from "../../../components/ui/switch";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { formatDateTime } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useTenant } from "../api/get-tenant";
import { useSetTenantModule, useUpdateTenant } from "../api/save-tenant";
import { FlagValueBadge } from "./tenants-page";

/** One tenant: its modules, attributes, and every flag's effective value with the reason. */
export function TenantPage() {
  const { tenant: key = "" } = useParams();
  const { ws, env, environment, can } = useWorkspaceScope();
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
      <div className="grid items-start gap-6 lg:grid-cols-3">
        <div className="space-y-6">
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
        <Card title={`Flags in ${environment.name}`} description="What this tenant gets, and which step decided." className="lg:col-span-2" bodyClassName="p-0">
          <div className="border-b border-slate-100 px-5 py-3"><SearchInput label="Search flags" value={search} onChange={setSearch} /></div>
          <Table label="Effective flag values" className="rounded-none border-0 shadow-none">
            <THead><tr><Th>Flag</Th><Th>Value</Th><Th>Decided by</Th><Th>Override</Th></tr></THead>
            <TBody>
              {values.map((f) => <FlagValueRow key={f.key} ws={ws} f={f} />)}
            </TBody>
          </Table>
        </Card>
      </div>
    </>
  );
}

function FlagValueRow({ ws, f }: { ws: string; f: TenantDetailFlag }) {
  return (
    <Tr>
      <Td>
        <Link to={`/w/${ws}/flags/${encodeURIComponent(f.key)}`} className="group block">
          <span className="font-medium text-slate-900 group-hover:text-indigo-700">{f.name}</span>
          <span className="block font-mono text-xs text-slate-500">{f.key}{f.module && ` · ${f.module}`}</span>
        </Link>
      </Td>
      <Td><FlagValueBadge value={f} /></Td>
      <Td className="max-w-56 text-xs"><Badge tone={f.reason === "DISABLED" ? "amber" : f.reason === "TARGETING_MATCH" ? "indigo" : f.reason === "ERROR" ? "red" : "neutral"}>{f.reason}</Badge><span className="mt-1 block font-mono break-all text-slate-500">{f.detail}</span></Td>
      <Td className="text-xs">
        {f.override ? (
          <span className="inline-flex items-center gap-1.5">
            <span className="font-mono">{f.override.variant}</span>
            {f.override.locked && <Lock className="h-3 w-3 text-amber-600" aria-label="locked" />}
            <span className="text-slate-400">by {f.override.source === "tenant_admin" ? "tenant admin" : "workspace admin"}</span>
          </span>
        ) : <span className="text-slate-400">—</span>}
      </Td>
    </Tr>
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
