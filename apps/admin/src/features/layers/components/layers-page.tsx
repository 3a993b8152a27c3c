import type { LayerResponse } from "@ensign/contracts/layers";
import { Layers3, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Dialog } from "../../../components/ui/dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useCreateLayer, useDeleteLayer, useLayers, useUpdateLayer } from "../api/layers";
import { LayerForm, splitValues } from "./layer-form";
import { OverrideOrder } from "./override-order";

/** The workspace's own override dimensions (e.g. platform) and the order overrides are tried in. */
export function LayersPage() {
  const { ws, can } = useWorkspaceScope();
  const canWrite = can("definitions:write");
  const layers = useLayers(ws);
  const create = useCreateLayer(ws);
  const update = useUpdateLayer(ws);
  const remove = useDeleteLayer(ws);
  const [editing, setEditing] = useState<LayerResponse | "new" | null>(null);
  const [deleting, setDeleting] = useState<LayerResponse | null>(null);

  return (
    <>
      <PageHeader
        title="Override layers"
        description="Dimensions beyond users and tenants that flags can be overridden by, such as the platform a request comes from. Each reads one context attribute and has a place in the override order; every flag gets a tab per layer."
        actions={canWrite && <Button variant="primary" onClick={() => setEditing("new")}><Plus className="h-4 w-4" aria-hidden="true" />New layer</Button>}
      />
      {layers.isPending ? (
        <TableSkeleton rows={3} columns={4} />
      ) : layers.isError ? (
        <ErrorPanel error={layers.error} onRetry={() => void layers.refetch()} />
      ) : (
        <div className="space-y-6">
          {layers.data.items.length === 0 ? (
            <EmptyState icon={Layers3} title="No override layers yet">
              Without layers, flags are overridden per user and per tenant only. Define one, e.g. <code className="font-mono">platform</code> with meta, google and tiktok, to switch a
              flag per platform.
            </EmptyState>
          ) : (
            <Table label="Override layers">
              <THead>
                <tr>
                  <Th>Layer</Th>
                  <Th>Context attribute</Th>
                  <Th>Values</Th>
                  <Th className="text-right">Overrides</Th>
                  {canWrite && <Th className="w-24"><span className="sr-only">Actions</span></Th>}
                </tr>
              </THead>
              <TBody>
                {layers.data.items.map((layer) => (
                  <Tr key={layer.id}>
                    <Td>
                      <span className="font-medium text-slate-900">{layer.name}</span>
                      <span className="block font-mono text-xs text-slate-500">{layer.key}</span>
                    </Td>
                    <Td className="font-mono text-xs">{layer.attribute}</Td>
                    <Td><span className="flex flex-wrap gap-1">{layer.values.map((value) => <Badge key={value} tone="neutral">{value}</Badge>)}</span></Td>
                    <Td className="text-right tabular-nums">{layer.overrideCount}</Td>
                    {canWrite && (
                      <Td className="text-right">
                        <Button size="icon" variant="ghost" aria-label={`Edit ${layer.name}`} onClick={() => setEditing(layer)}><Pencil className="h-4 w-4" aria-hidden="true" /></Button>
                        <Button size="icon" variant="danger-ghost" aria-label={`Delete ${layer.name}`} onClick={() => setDeleting(layer)}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                      </Td>
                    )}
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
          <OverrideOrder key={layers.data.order.join()} ws={ws} order={layers.data.order} isDefaultOrder={layers.data.isDefaultOrder} layers={layers.data.items} canWrite={canWrite} />
        </div>
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing === "new" ? "New override layer" : `Edit ${editing?.name ?? ""}`}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button variant="primary" type="submit" form="layer-form" isLoading={create.isPending || update.isPending}>{editing === "new" ? "Create layer" : "Save"}</Button>
          </>
        }
      >
        {editing !== null && (
          <LayerForm
            id="layer-form"
            isEdit={editing !== "new"}
            defaultValues={
              editing === "new"
                ? { key: "", name: "", description: "", attribute: "", values: "" }
                : { key: editing.key, name: editing.name, description: editing.description, attribute: editing.attribute, values: editing.values.join(", ") }
            }
            onSubmit={async (values) => {
              const body = { name: values.name, ...(values.attribute ? { attribute: values.attribute } : {}), values: splitValues(values.values) };
              if (editing === "new") await create.mutateAsync({ key: values.key, description: values.description ?? "", ...body });
              else await update.mutateAsync({ key: editing.key, version: editing.version, body: { ...body, description: values.description || null } });
              toast.success(editing === "new" ? `Layer ${values.key} created` : "Layer saved");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete layer ${deleting?.key ?? ""}?`}
        tone="danger"
        confirmLabel="Delete layer"
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ key: deleting.key, version: deleting.version }, { onSuccess: () => { toast.success("Layer deleted"); setDeleting(null); } })}
      >
        <p>Its {deleting?.overrideCount ?? 0} overrides, in every flag and environment, are removed with it; each is recorded in the audit log.</p>
      </ConfirmDialog>
    </>
  );
}
