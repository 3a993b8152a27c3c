import type { LayerOverrideResponse, LayerResponse } from "@ensign/contracts/layers";
import { Lock, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Checkbox, Input, Select } from "../../../components/ui/input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { formatDateTime } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useClearLayerOverride, useLayerOverrides, useSetLayerOverride } from "../api/layer-overrides";

export interface LayerFlag {
  key: string;
  variants: { key: string }[];
  onVariant: string;
  offVariant: string;
}

/** `datetime-local` wants local time without a zone. */
const toLocalInput = (iso: string | null) => {
  if (!iso) return "";
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/**
 * A flag's overrides for one override layer in the current environment: one row per known
 * value (e.g. each platform), each with its variant, lock and expiry.
 */
export function LayerOverridesSection({ flag, layer, layers, order }: { flag: LayerFlag; layer: LayerResponse; layers: LayerResponse[]; order: string[] }) {
  const { ws, env, environment, can } = useWorkspaceScope();
  const overrides = useLayerOverrides(ws, env, flag.key, layer.key);
  const byValue = new Map((overrides.data?.items ?? []).map((o) => [o.value, o]));
  const names = order.map((step) => layers.find((l) => l.key === step)?.name ?? step);
  return (
    <Card
      title={`${layer.name} overrides in ${environment.name}`}
      description={
        <>
          Read from the context attribute <code className="font-mono">{layer.attribute}</code>. Order: {names.join(" > ")} &gt; default. A locked override wins over every
          other override and rule.
        </>
      }
    >
      {overrides.isPending ? (
        <TableSkeleton rows={layer.values.length} columns={4} />
      ) : overrides.isError ? (
        <ErrorPanel error={overrides.error} onRetry={() => void overrides.refetch()} />
      ) : (
        <Table label={`${layer.name} overrides`}>
          <THead>
            <tr>
              <Th>{layer.name}</Th>
              <Th>Serves</Th>
              <Th>Expires</Th>
              {can("overrides:write") && <Th><span className="sr-only">Change</span></Th>}
            </tr>
          </THead>
          <TBody>
            {layer.values.map((value) => (
              <LayerValueRow key={`${env}/${value}`} flag={flag} layer={layer} value={value} current={byValue.get(value)} />
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

function LayerValueRow({ flag, layer, value, current }: { flag: LayerFlag; layer: LayerResponse; value: string; current: LayerOverrideResponse | undefined }) {
  const { ws, env, can } = useWorkspaceScope();
  const canWrite = can("overrides:write");
  const canLock = can("overrides:lock");
  const set = useSetLayerOverride(ws, env, flag.key, layer.key);
  const clear = useClearLayerOverride(ws, env, flag.key, layer.key);
  const [form, setForm] = useState({ variant: current?.variant ?? flag.onVariant, locked: current?.locked ?? false, expires: toLocalInput(current?.expiresAt ?? null) });
  const [error, setError] = useState<string>();
  const isLockedForMe = current?.locked === true && !canLock;
  const save = () => {
    setError(undefined);
    set.mutate(
      { value, version: current?.version, body: { variant: form.variant, locked: form.locked, expiresAt: form.expires ? new Date(form.expires).toISOString() : null } },
      { onSuccess: () => toast.success(`${layer.name} ${value}: serves ${form.variant}`), onError: (e) => setError(errorMessage(e)) },
    );
  };
  return (
    <Tr className={current?.isExpired ? "bg-slate-50" : undefined} data-testid={`layer-value-${value}`}>
      <Td className="font-mono text-xs text-slate-800">{value}</Td>
      <Td>
        {current ? (
          <span className="inline-flex items-center gap-1">
            <Badge tone={current.variant === flag.offVariant ? "neutral" : "green"}>{current.variant}</Badge>
            {current.locked && <Badge tone="violet"><Lock className="h-3 w-3" aria-hidden="true" />locked</Badge>}
          </span>
        ) : (
          <span className="text-xs text-slate-400">no override</span>
        )}
      </Td>
      <Td className="text-xs">
        {current ? (current.expiresAt ? formatDateTime(current.expiresAt) : "permanent") : "—"}
        {current?.isExpired && <Badge tone="red" className="ml-1">expired</Badge>}
      </Td>
      {canWrite && (
        <Td>
          <form className="flex flex-wrap items-center justify-end gap-2" onSubmit={(e) => { e.preventDefault(); save(); }}>
            <Select aria-label={`Variant for ${value}`} className="w-28" value={form.variant} disabled={isLockedForMe} onChange={(e) => setForm({ ...form, variant: e.target.value })}>
              {flag.variants.map((v) => <option key={v.key} value={v.key}>{v.key}</option>)}
            </Select>
            <Checkbox label="Lock" checked={form.locked} disabled={!canLock} onChange={(e) => setForm({ ...form, locked: e.target.checked })} />
            <Input type="datetime-local" aria-label={`Expiry for ${value}`} className="w-48" value={form.expires} disabled={isLockedForMe} onChange={(e) => setForm({ ...form, expires: e.target.value })} />
            <Button type="submit" size="sm" variant="primary" isLoading={set.isPending} disabled={isLockedForMe}>{current ? "Save" : "Override"}</Button>
            {current && (
              <Button type="button" size="icon" variant="danger-ghost" aria-label={`Clear the override for ${value}`} disabled={isLockedForMe} onClick={() => clear.mutate(value, { onSuccess: () => toast.success(`${layer.name} ${value}: override cleared`) })}>
                <Trash2 className="h-4 w-4" aria-hidden="true" />
              </Button>
            )}
            {error && <p role="alert" className="w-full text-right text-xs text-red-600">{error}</p>}
          </form>
        </Td>
      )}
    </Tr>
  );
}
