import { ROLES, type Role } from "@ensign/contracts/auth";
import type { MemberResponse } from "@ensign/contracts/members";
import { KeyRound, UserPlus, Users, UserX } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { Pagination } from "../../../components/ui/pagination";
import { SearchInput } from "../../../components/ui/search-input";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { useSession } from "../../../lib/auth";
import { formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useMembers } from "../api/get-members";
import { useRemoveMember, useUpdateMember } from "../api/save-member";
import { InviteMemberDialog } from "./invite-member-dialog";
import { PendingInvitations } from "./pending-invitations";
import { ResetPasswordDialog } from "./reset-password-dialog";

const ROLE_HELP: Record<Role, string> = {
  owner: "Everything, including members and keys",
  admin: "Everything, including members and keys",
  editor: "State and overrides, not definitions or keys",
  viewer: "Read only",
  tenant_admin: "One tenant's own features",
};

export function MembersPage() {
  const { ws, can } = useWorkspaceScope();
  const session = useSession();
  const canManage = can("members:manage");
  const canResetPasswords = can("members:reset_password");
  const [search, setSearch] = useState("");
  const [role, setRole] = useState("");
  const [page, setPage] = useState(1);
  const debounced = useDebouncedValue(search);
  const members = useMembers(ws, { search: debounced || undefined, role: role || undefined, page });
  const update = useUpdateMember(ws);
  const remove = useRemoveMember(ws);
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<MemberResponse | null>(null);
  const [resetting, setResetting] = useState<MemberResponse | null>(null);

  const changeRole = (m: MemberResponse, next: Role) => {
    if (next === "tenant_admin") {
      toast.error("To make someone a tenant admin, remove them and invite them again with their tenant.");
      return;
    }
    update.mutate({ id: m.id, version: m.version, body: { role: next } }, { onSuccess: () => toast.success(`${m.email} is now ${next.replace("_", " ")}`) });
  };

  return (
    <>
      <PageHeader
        title="Members"
        description="Who can sign in to this workspace, and what their role lets them do."
        actions={canManage && <Button variant="primary" onClick={() => setInviting(true)}><UserPlus className="h-4 w-4" aria-hidden="true" />Invite member</Button>}
      />
      <PendingInvitations ws={ws} canManage={canManage} />
      <div className="mb-4 flex gap-3">
        <SearchInput label="Search members" value={search} onChange={(v) => { setSearch(v); setPage(1); }} />
        <Select aria-label="Role filter" value={role} onChange={(e) => { setRole(e.target.value); setPage(1); }} className="w-44">
          <option value="">All roles</option>
          {ROLES.map((r) => <option key={r} value={r}>{r.replace("_", " ")}</option>)}
        </Select>
      </div>
      {members.isPending ? (
        <TableSkeleton rows={5} columns={4} />
      ) : members.isError ? (
        <ErrorPanel error={members.error} onRetry={() => void members.refetch()} />
      ) : members.data.items.length === 0 ? (
        <EmptyState icon={Users} title="No members match" />
      ) : (
        <>
          <Table label="Members">
            <THead>
              <tr>
                <Th>Member</Th>
                <Th>Role</Th>
                <Th>Tenant</Th>
                <Th>Last sign-in</Th>
                {canManage && <Th className="w-24"><span className="sr-only">Actions</span></Th>}
              </tr>
            </THead>
            <TBody>
              {members.data.items.map((m) => {
                const isSelf = m.userId === session.data?.id;
                return (
                  <Tr key={m.id}>
                    <Td>
                      <span className="font-medium text-slate-900">{m.name}</span>
                      {isSelf && <Badge tone="indigo" className="ml-2">you</Badge>}
                      <span className="block text-xs text-slate-500">{m.email}</span>
                    </Td>
                    <Td>
                      {canManage && !isSelf && m.role !== "tenant_admin" ? (
                        <Select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => changeRole(m, e.target.value as Role)} className="h-8 w-36 text-xs" title={ROLE_HELP[m.role]}>
                          {ROLES.filter((r) => r !== "tenant_admin").map((r) => <option key={r} value={r}>{r}</option>)}
                        </Select>
                      ) : (
                        <Badge tone={m.role === "owner" || m.role === "admin" ? "indigo" : m.role === "tenant_admin" ? "violet" : "neutral"} title={ROLE_HELP[m.role]}>{m.role.replace("_", " ")}</Badge>
                      )}
                    </Td>
                    <Td className="text-sm text-slate-600">{m.tenant ? m.tenant.name : "—"}</Td>
                    <Td className="text-xs text-slate-500">{m.lastLoginAt ? formatRelative(m.lastLoginAt) : "never"}</Td>
                    {canManage && (
                      <Td className="text-right">
                        {!isSelf && canResetPasswords && <Button size="icon" variant="ghost" aria-label={`Reset the password of ${m.email}`} title="Reset password" onClick={() => setResetting(m)}><KeyRound className="h-4 w-4" aria-hidden="true" /></Button>}
                        {!isSelf && <Button size="icon" variant="danger-ghost" aria-label={`Remove ${m.email}`} onClick={() => setRemoving(m)}><UserX className="h-4 w-4" aria-hidden="true" /></Button>}
                      </Td>
                    )}
                  </Tr>
                );
              })}
            </TBody>
          </Table>
          <Pagination page={members.data.page} pageSize={members.data.pageSize} total={members.data.total} onPageChange={setPage} noun="members" />
        </>
      )}
      <InviteMemberDialog ws={ws} open={inviting} onOpenChange={setInviting} />
      <ResetPasswordDialog ws={ws} member={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove ${removing?.email ?? ""}?`}
        tone="danger"
        confirmLabel="Remove member"
        isPending={remove.isPending}
        onConfirm={() => removing && remove.mutate({ id: removing.id, version: removing.version }, { onSuccess: () => { toast.success(`${removing.email} removed`); setRemoving(null); } })}
      >
        <p>They lose access to this workspace on their next request. Their past changes stay in the audit log.</p>
      </ConfirmDialog>
    </>
  );
}
