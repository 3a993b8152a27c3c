import type { ApiKeyResponse } from "@ensign/contracts/api-keys";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useApiKeys } from "../api/get-api-keys";
import { useRevokeApiKey } from "../api/revoke-api-key";
import { CreateApiKeyDialog } from "./create-api-key-dialog";

export function ApiKeysPage() {
  const { ws, env, environment } = useWorkspaceScope();
  const keys = useApiKeys(ws, env);
  const revoke = useRevokeApiKey(ws, env);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyResponse | null>(null);
  return (
    <>
      <PageHeader
        title="API keys"
        eyebrow={environment.name}
        description="Keys belong to one environment. Client keys evaluate flags; server keys also download the rules for local evaluation."
        actions={<Button variant="primary" onClick={() => setCreating(true)}><Plus className="h-4 w-4" aria-hidden="true" />New key</Button>}
      />
      {keys.isPending ? (
        <TableSkeleton rows={4} columns={5} />
      ) : keys.isError ? (
        <ErrorPanel error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <EmptyState icon={KeyRound} title={`No API keys for ${environment.name} yet`} action={<Button variant="primary" onClick={() => setCreating(true)}>Create a key</Button>}>
          SDKs and portal frontends use a key to evaluate this environment's flags.
        </EmptyState>
      ) : (
        <Table label="API keys">
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Kind</Th>
              <Th>Key</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th className="w-28"><span className="sr-only">Actions</span></Th>
            </tr>
          </THead>
          <TBody>
            {keys.data.items.map((k) => (
              <Tr key={k.id} className={k.revokedAt ? "bg-slate-50" : undefined}>
                <Td className="font-medium text-slate-900">{k.name}</Td>
                <Td><Badge tone={k.kind === "server" ? "amber" : "sky"}>{k.kind}</Badge></Td>
                <Td className="font-mono text-xs">{k.prefix}…</Td>
                <Td className="text-xs text-slate-500" title={formatDateTime(k.createdAt)}>{formatRelative(k.createdAt)}{k.createdBy && ` by ${k.createdBy}`}</Td>
                <Td className="text-xs text-slate-500">{k.lastUsedAt ? formatRelative(k.lastUsedAt) : "never"}</Td>
                <Td className="text-right">
                  {k.revokedAt ? <Badge tone="red">revoked</Badge> : <Button size="sm" variant="danger-ghost" onClick={() => setRevoking(k)}>Revoke</Button>}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
      <CreateApiKeyDialog ws={ws} env={env} envName={environment.name} open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        tone="danger"
        confirmLabel="Revoke key"
        isPending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => { toast.success("Key revoked"); setRevoking(null); } })}
      >
        <p>Every request with this key is refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
