import type { PersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { KeySquare, Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { toast } from "../../../components/ui/toaster";
import { usePersonalTokens } from "../api/get-personal-tokens";
import { useRevokePersonalToken } from "../api/revoke-personal-token";
import { CreatePersonalTokenDialog } from "./create-personal-token-dialog";
import { TokensTable } from "./tokens-table";

/** The signed-in user's own access tokens, for scripts calling the admin API as them. */
export function PersonalTokensPage() {
  const tokens = usePersonalTokens();
  const revoke = useRevokePersonalToken();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<PersonalTokenResponse | null>(null);
  return (
    <>
      <PageHeader
        title="Access tokens"
        eyebrow="Your account"
        description="Personal tokens let your scripts call the admin API as you: with your roles as they are at each request, never above them."
        actions={<Button variant="primary" onClick={() => setCreating(true)}><Plus className="h-4 w-4" aria-hidden="true" />New token</Button>}
      />
      {tokens.isPending ? (
        <TableSkeleton rows={3} columns={6} />
      ) : tokens.isError ? (
        <ErrorPanel error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.items.length === 0 ? (
        <EmptyState icon={KeySquare} title="No access tokens yet" action={<Button variant="primary" onClick={() => setCreating(true)}>Create a token</Button>}>
          A token replaces your password in scripts: it expires, and you can revoke it at any time.
        </EmptyState>
      ) : (
        <TokensTable label="Access tokens" tokens={tokens.data.items.map((t) => ({ ...t, role: t.maxRole ?? "your role" }))} onRevoke={(id) => setRevoking(tokens.data.items.find((t) => t.id === id) ?? null)} />
      )}
      <CreatePersonalTokenDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        tone="danger"
        confirmLabel="Revoke token"
        isPending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => { toast.success("Token revoked"); setRevoking(null); } })}
      >
        <p>Every request with this token is refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
