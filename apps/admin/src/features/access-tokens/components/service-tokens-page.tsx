import type { ServiceTokenResponse } from "@ensign/contracts/access-tokens";
import { Bot, Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { toast } from "../../../components/ui/toaster";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useServiceTokens } from "../api/get-service-tokens";
import { useRevokeServiceToken } from "../api/revoke-service-token";
import { CreateServiceTokenDialog } from "./create-service-token-dialog";
import { TokensTable } from "./tokens-table";

/** The workspace's service tokens, for CI and other automation. */
export function ServiceTokensPage() {
  const { ws, environments } = useWorkspaceScope();
  const tokens = useServiceTokens(ws);
  const revoke = useRevokeServiceToken(ws);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ServiceTokenResponse | null>(null);
  return (
    <>
      <PageHeader
        title="Service tokens"
        description="Tokens for CI and automation: they belong to the workspace, act with their own role, and may be bound to one environment."
        actions={<Button variant="primary" onClick={() => setCreating(true)}><Plus className="h-4 w-4" aria-hidden="true" />New token</Button>}
      />
      {tokens.isPending ? (
        <TableSkeleton rows={3} columns={7} />
      ) : tokens.isError ? (
        <ErrorPanel error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.items.length === 0 ? (
        <EmptyState icon={Bot} title="No service tokens yet" action={<Button variant="primary" onClick={() => setCreating(true)}>Create a token</Button>}>
          A pipeline uses a service token to change flags without anyone's password.
        </EmptyState>
      ) : (
        <TokensTable
          label="Service tokens"
          tokens={tokens.data.items.map((t) => ({ ...t, scope: t.environment ?? "every environment" }))}
          onRevoke={(id) => setRevoking(tokens.data.items.find((t) => t.id === id) ?? null)}
        />
      )}
      <CreateServiceTokenDialog ws={ws} environments={environments} open={creating} onOpenChange={setCreating} />
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
