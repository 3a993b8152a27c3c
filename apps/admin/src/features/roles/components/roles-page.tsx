import type { RoleResponse } from "@ensign/contracts/roles";
import { Network, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Dialog } from "../../../components/ui/dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Field, Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useRoles, type RoleScope } from "../api/get-roles";
import { useTenantKeys } from "../api/get-tenant-keys";
import { useCreateRole, useDeleteRole, useUpdateRole } from "../api/save-role";
import { RoleForm } from "./role-form";

const DESCRIPTION =
  "The roles of your product's users. A role inherits the roles below it, so a rule condition \"role has role or above: manager\" (role_at_least) matches managers and everyone above them. " +
  "Your application sends the role as a context attribute or an identity trait.";

/**
 * The role hierarchy. Workspace staff see and edit the workspace's roles, or choose a tenant to
 * see its hierarchy and edit the roles it defines for itself; a tenant admin (`isOwnTenant`)
 * sees their tenant's hierarchy and edits only their tenant's roles.
 */
export function RolesPage({ isOwnTenant = false }: { isOwnTenant?: boolean }) {
  const { ws, can } = useWorkspaceScope();
  const [tenant, setTenant] = useState("");
  const scope: RoleScope = isOwnTenant ? { kind: "own" } : tenant ? { kind: "tenant", tenant } : { kind: "workspace" };
  const canWrite = isOwnTenant ? can("tenant:manage") : can("definitions:write");
  const roles = useRoles(ws, scope);
  const tenants = useTenantKeys(ws, { enabled: !isOwnTenant });
  const create = useCreateRole(ws, scope);
  const update = useUpdateRole(ws, scope);
  const remove = useDeleteRole(ws, scope);
  const [editing, setEditing] = useState<RoleResponse | "new" | null>(null);
  const [deleting, setDeleting] = useState<RoleResponse | null>(null);
  const isTenantScope = scope.kind !== "workspace";
  /** In a tenant's hierarchy only its own roles are its to change; the workspace's are read-only there. */
  const isEditable = (role: RoleResponse) => canWrite && (isTenantScope ? role.tenantKey !== null : role.tenantKey === null);
  const items = roles.data?.items ?? [];
  const names = new Map(items.map((role) => [role.key, role.name]));

  return (
    <>
      <PageHeader
        title={isOwnTenant ? "Your roles" : "Roles"}
        description={isOwnTenant ? `${DESCRIPTION} Add roles of your organisation's own and place them in the hierarchy; the workspace's roles are shown for reference.` : DESCRIPTION}
        actions={canWrite && <Button variant="primary" onClick={() => setEditing("new")}><Plus className="h-4 w-4" aria-hidden="true" />{isTenantScope ? "New tenant role" : "New role"}</Button>}
      />
      {!isOwnTenant && (
        <Field label="Hierarchy of" hint="A tenant's hierarchy is the workspace's roles with the roles the tenant defines for itself." className="mb-4 max-w-sm">
          {(props) => (
            <Select {...props} value={tenant} onChange={(e) => setTenant(e.target.value)}>
              <option value="">The workspace</option>
              {tenants.data?.items.map((t) => (
                <option key={t.key} value={t.key}>
                  Tenant {t.name} ({t.key})
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {roles.isPending ? (
        <TableSkeleton rows={3} columns={5} />
      ) : roles.isError ? (
        <ErrorPanel error={roles.error} onRetry={() => void roles.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={Network} title="No roles">Add a role, then gate features with the “has role or above” operator.</EmptyState>
      ) : (
        <Table label="Role hierarchy">
          <THead>
            <tr>
              <Th className="w-16">Level</Th>
              <Th>Role</Th>
              <Th>Inherits</Th>
              <Th>Defined by</Th>
              <Th className="text-right">Flags</Th>
              {canWrite && <Th className="w-24"><span className="sr-only">Actions</span></Th>}
            </tr>
          </THead>
          <TBody>
            {items.map((role) => (
              <Tr key={role.id}>
                <Td className="tabular-nums text-slate-500">{role.level}</Td>
                <Td>
                  <div style={{ paddingLeft: `${role.level * 1.25}rem` }}>
                    <span className="font-medium text-slate-900">{role.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{role.key}</span>
                    {role.description && <span className="block text-xs text-slate-500">{role.description}</span>}
                  </div>
                </Td>
                <Td className="text-sm text-slate-600">
                  {role.inherits.length === 0 ? <span className="text-slate-400">—</span> : role.inherits.map((key) => names.get(key) ?? key).join(", ")}
                  {role.inheritedBy.length > 0 && <span className="block text-xs text-slate-500">inherited by {role.inheritedBy.map((key) => names.get(key) ?? key).join(", ")}</span>}
                </Td>
                <Td>{role.tenantKey ? <Badge tone="violet">tenant {role.tenantKey}</Badge> : <Badge>workspace</Badge>}</Td>
                <Td className="text-right tabular-nums">{role.usedByFlags}</Td>
                {canWrite && (
                  <Td className="text-right">
                    {isEditable(role) && (
                      <>
                        <Button size="icon" variant="ghost" aria-label={`Edit ${role.name}`} onClick={() => setEditing(role)}><Pencil className="h-4 w-4" aria-hidden="true" /></Button>
                        <Button size="icon" variant="danger-ghost" aria-label={`Delete ${role.name}`} onClick={() => setDeleting(role)}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                      </>
                    )}
                  </Td>
                )}
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing === "new" ? (isTenantScope ? "New tenant role" : "New role") : `Edit ${editing?.name ?? ""}`}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button variant="primary" type="submit" form="role-form" isLoading={create.isPending || update.isPending}>{editing === "new" ? "Create role" : "Save"}</Button>
          </>
        }
      >
        {editing !== null && (
          <RoleForm
            id="role-form"
            isEdit={editing !== "new"}
            isTenantRole={isTenantScope}
            roleKeys={items.map((role) => role.key)}
            defaultValues={
              editing === "new"
                ? { key: "", name: "", description: "", inherits: [], inheritedBy: [] }
                : { key: editing.key, name: editing.name, description: editing.description, inherits: editing.inherits, inheritedBy: editing.inheritedBy }
            }
            onSubmit={async (values) => {
              const placement = isTenantScope ? { inheritedBy: values.inheritedBy ?? [] } : {};
              if (editing === "new") await create.mutateAsync({ key: values.key, name: values.name, description: values.description, inherits: values.inherits, ...placement });
              else await update.mutateAsync({ key: editing.key, version: editing.version, body: { name: values.name, description: values.description || null, inherits: values.inherits, ...placement } });
              toast.success(editing === "new" ? `Role ${values.key} created` : "Role saved");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete role ${deleting?.key ?? ""}?`}
        tone="danger"
        confirmLabel="Delete role"
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ key: deleting.key, version: deleting.version }, { onSuccess: () => { toast.success("Role deleted"); setDeleting(null); } })}
      >
        <p>Users who send this role no longer unlock what it unlocked. A role that rules or other roles still use cannot be deleted.</p>
      </ConfirmDialog>
    </>
  );
}
