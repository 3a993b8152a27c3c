import type { ModuleResponse } from "@ensign/contracts/modules";
import { Boxes, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Dialog } from "../../../components/ui/dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { SearchInput } from "../../../components/ui/search-input";
import { PageHeader } from "../../../components/ui/page-header";
import { Pagination } from "../../../components/ui/pagination";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useModules } from "../api/get-modules";
import { useCreateModule, useDeleteModule, useUpdateModule } from "../api/save-module";
import { ModuleForm } from "./module-form";

/** Groups of flags that can be switched off per tenant. */
export function ModulesPage() {
  const { ws, can } = useWorkspaceScope();
  const canWrite = can("definitions:write");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const debounced = useDebouncedValue(search);
  const modules = useModules(ws, { search: debounced || undefined, page });
  const create = useCreateModule(ws);
  const update = useUpdateModule(ws);
  const remove = useDeleteModule(ws);
  const [editing, setEditing] = useState<ModuleResponse | "new" | null>(null);
  const [deleting, setDeleting] = useState<ModuleResponse | null>(null);

  return (
    <>
      <PageHeader
        title="Modules"
        description="A module groups flags (FIN, STR, TENADMIN). Switch a module off for a tenant and every flag in it is off there and cannot be enabled."
        actions={canWrite && <Button variant="primary" onClick={() => setEditing("new")}><Plus className="h-4 w-4" aria-hidden="true" />New module</Button>}
      />
      <SearchInput label="Search modules" value={search} onChange={(v) => { setSearch(v); setPage(1); }} className="mb-4" />
      {modules.isPending ? (
        <TableSkeleton rows={4} columns={4} />
      ) : modules.isError ? (
        <ErrorPanel error={modules.error} onRetry={() => void modules.refetch()} />
      ) : modules.data.items.length === 0 ? (
        <EmptyState icon={Boxes} title={debounced ? "No modules match" : "No modules yet"}>
          Modules are optional: use them when tenants license parts of your product separately.
        </EmptyState>
      ) : (
        <>
          <Table label="Modules">
            <THead>
              <tr>
                <Th>Module</Th>
                <Th>Description</Th>
                <Th className="text-right">Flags</Th>
                <Th>Updated</Th>
                {canWrite && <Th className="w-24"><span className="sr-only">Actions</span></Th>}
              </tr>
            </THead>
            <TBody>
              {modules.data.items.map((m) => (
                <Tr key={m.id}>
                  <Td>
                    <span className="font-medium text-slate-900">{m.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{m.key}</span>
                  </Td>
                  <Td className="max-w-md truncate text-slate-500">{m.description || "—"}</Td>
                  <Td className="text-right tabular-nums">{m.flagCount}</Td>
                  <Td className="text-xs text-slate-500">{formatRelative(m.updatedAt)}</Td>
                  {canWrite && (
                    <Td className="text-right">
                      <Button size="icon" variant="ghost" aria-label={`Edit ${m.name}`} onClick={() => setEditing(m)}><Pencil className="h-4 w-4" aria-hidden="true" /></Button>
                      <Button size="icon" variant="danger-ghost" aria-label={`Delete ${m.name}`} onClick={() => setDeleting(m)}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                    </Td>
                  )}
                </Tr>
              ))}
            </TBody>
          </Table>
          <Pagination page={modules.data.page} pageSize={modules.data.pageSize} total={modules.data.total} onPageChange={setPage} noun="modules" />
        </>
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing === "new" ? "New module" : `Edit ${editing?.name ?? ""}`}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button variant="primary" type="submit" form="module-form" isLoading={create.isPending || update.isPending}>{editing === "new" ? "Create module" : "Save"}</Button>
          </>
        }
      >
        {editing !== null && (
          <ModuleForm
            id="module-form"
            isEdit={editing !== "new"}
            defaultValues={editing === "new" ? { key: "", name: "", description: "", keyPrefix: null, tenantManageable: false } : { key: editing.key, name: editing.name, description: editing.description, keyPrefix: editing.keyPrefix, tenantManageable: editing.tenantManageable }}
            onSubmit={async (values) => {
              if (editing === "new") await create.mutateAsync(values);
              else await update.mutateAsync({ key: editing.key, version: editing.version, body: { name: values.name, description: values.description || null, keyPrefix: values.keyPrefix ?? null, tenantManageable: values.tenantManageable ?? false } });
              toast.success(editing === "new" ? `Module ${values.key} created` : "Module saved");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete module ${deleting?.key ?? ""}?`}
        tone="danger"
        confirmLabel="Delete module"
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ key: deleting.key, version: deleting.version }, { onSuccess: () => { toast.success("Module deleted"); setDeleting(null); } })}
      >
        <p>Its {deleting?.flagCount ?? 0} flags stay, without a module; tenants' switches for it are removed.</p>
      </ConfirmDialog>
    </>
  );
}
