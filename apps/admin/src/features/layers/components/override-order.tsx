import type { LayerResponse } from "@ensign/contracts/layers";
import { ArrowDown, ArrowUp } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { useSetOverrideOrder } from "../api/layers";

const BUILT_IN: Record<string, { name: string; hint: string }> = {
  user: { name: "User override", hint: "an override for the context's targetingKey" },
  tenant: { name: "Tenant", hint: "deny list, locked override, allow list, override for the tenantKey" },
  rules: { name: "Targeting rules", hint: "the first rule whose conditions all hold" },
};

/**
 * The order the override steps are tried in; the first that decides wins, then the flag's
 * default. Keyed by the saved order where it is used, so a saved change starts a fresh draft.
 */
export function OverrideOrder({ ws, order, isDefaultOrder, layers, canWrite }: { ws: string; order: string[]; isDefaultOrder: boolean; layers: LayerResponse[]; canWrite: boolean }) {
  const [draft, setDraft] = useState(order);
  const save = useSetOverrideOrder(ws);
  const isChanged = draft.join() !== order.join();
  const move = (index: number, by: number) =>
    setDraft((steps) => {
      const next = [...steps];
      const [step] = next.splice(index, 1);
      next.splice(index + by, 0, step!);
      return next;
    });
  const describe = (step: string) => {
    const layer = layers.find((l) => l.key === step);
    return layer ? { name: `${layer.name} override`, hint: `an override for the context's ${layer.attribute}` } : (BUILT_IN[step] ?? { name: step, hint: "" });
  };
  return (
    <Card
      title="Override order"
      description="After the master switch, a module switched off, the flag's kill switch and its prerequisites, these steps are tried in this order; the first that decides wins, else the flag's default. A locked layer override wins over all of them."
      actions={isDefaultOrder && !isChanged ? <Badge tone="neutral">default</Badge> : <Badge tone="amber">custom</Badge>}
    >
      <ol className="space-y-2" aria-label="Override order">
        {draft.map((step, index) => {
          const { name, hint } = describe(step);
          return (
            <li key={step} className="flex items-center gap-3 rounded-md border border-slate-200 px-3 py-2" data-testid={`order-step-${step}`}>
              <span className="w-6 text-right text-sm tabular-nums text-slate-400">{index + 1}.</span>
              <div className="min-w-0 flex-1">
                <span className="text-sm font-medium text-slate-900">{name}</span>
                <span className="block text-xs text-slate-500">{hint}</span>
              </div>
              {canWrite && (
                <span className="flex gap-1">
                  <Button size="icon" variant="ghost" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => move(index, -1)}><ArrowUp className="h-4 w-4" aria-hidden="true" /></Button>
                  <Button size="icon" variant="ghost" aria-label={`Move ${name} down`} disabled={index === draft.length - 1} onClick={() => move(index, 1)}><ArrowDown className="h-4 w-4" aria-hidden="true" /></Button>
                </span>
              )}
            </li>
          );
        })}
        <li className="flex items-center gap-3 px-3 py-1 text-sm text-slate-500"><span className="w-6" />The flag's default (fallthrough)</li>
      </ol>
      {canWrite && (
        <div className="mt-4 flex gap-2">
          <Button variant="primary" disabled={!isChanged} isLoading={save.isPending} onClick={() => save.mutate(draft, { onSuccess: () => toast.success("Override order saved"), onError: (e) => toast.error(errorMessage(e)) })}>Save order</Button>
          <Button disabled={!isChanged} onClick={() => setDraft(order)}>Discard</Button>
        </div>
      )}
    </Card>
  );
}
