import type { InvitationResponse } from "@ensign/contracts/invitations";
import { MailX } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime } from "../../../lib/format";
import { usePendingInvitations } from "../api/get-invitations";
import { useRevokeInvitation } from "../api/revoke-invitation";

/** Invitations not yet accepted: the email, role and expiry, and nothing of any account behind the email. */
export function PendingInvitations({ ws, canManage }: { ws: string; canManage: boolean }) {
  const invitations = usePendingInvitations(ws);
  const revoke = useRevokeInvitation(ws);
  const [revoking, setRevoking] = useState<InvitationResponse | null>(null);
  if (!invitations.data || invitations.data.items.length === 0) return null;
  return (
    <Card title="Pending invitations" description="They join when they accept their link." className="mb-6" bodyClassName="p-0">
      <Table label="Pending invitations">
        <THead>
          <tr>
            <Th>Email</Th>
            <Th>Role</Th>
            <Th>Tenant</Th>
            <Th>Expires</Th>
            {canManage && <Th className="w-16"><span className="sr-only">Actions</span></Th>}
          </tr>
        </THead>
        <TBody>
          {invitations.data.items.map((invitation) => (
            <Tr key={invitation.id}>
              <Td className="text-sm text-slate-900">{invitation.email}</Td>
              <Td><Badge tone="neutral">{invitation.role.replace("_", " ")}</Badge></Td>
              <Td className="text-sm text-slate-600">{invitation.tenant ? invitation.tenant.name : "—"}</Td>
              <Td className="text-xs text-slate-500">{formatDateTime(invitation.expiresAt)}</Td>
              {canManage && (
                <Td className="text-right">
                  <Button size="icon" variant="danger-ghost" aria-label={`Revoke the invitation of ${invitation.email}`} onClick={() => setRevoking(invitation)}>
                    <MailX className="h-4 w-4" aria-hidden="true" />
                  </Button>
                </Td>
              )}
            </Tr>
          ))}
        </TBody>
      </Table>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke the invitation of ${revoking?.email ?? ""}?`}
        tone="danger"
        confirmLabel="Revoke invitation"
        isPending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => { toast.success(`Invitation of ${revoking.email} revoked`); setRevoking(null); } })}
      >
        <p>Their link stops working at once. You can invite them again later.</p>
      </ConfirmDialog>
    </Card>
  );
}
