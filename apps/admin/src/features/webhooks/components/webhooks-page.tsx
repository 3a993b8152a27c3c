import type { WebhookResponse } from "@ensign/contracts/webhooks";
import { Mail, MessageSquare, Plus, Webhook } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { PageHeader } from "../../../components/ui/page-header";
import { TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useWebhooks } from "../api/get-webhooks";
import { useDeleteWebhook } from "../api/save-webhook";
import { WebhookFormDialog } from "./webhook-form-dialog";

const KIND = {
  webhook: { label: "Webhook", icon: Webhook },
  slack: { label: "Slack", icon: MessageSquare },
  email: { label: "E-mail", icon: Mail },
} as const;

/** Where a webhook sends, as a person reads it. */
export function destinationOf(webhook: WebhookResponse): string {
  if (webhook.kind === "email") return `${webhook.recipients.join(", ")}${webhook.digest === "immediate" ? "" : ` (${webhook.digest} digest)`}`;
  return webhook.url ?? "";
}

/** The filters in a few words: "flag_state.* · production · 2 flags". */
export function filtersOf(webhook: WebhookResponse): string {
  const parts = [
    webhook.eventTypes.length > 0 ? webhook.eventTypes.join(", ") : "every event",
    webhook.environments.length > 0 ? webhook.environments.join(", ") : null,
    webhook.flags.length > 0 ? (webhook.flags.length === 1 ? `flag ${webhook.flags[0]}` : `${webhook.flags.length} flags`) : null,
    webhook.tenants.length > 0 ? (webhook.tenants.length === 1 ? `tenant ${webhook.tenants[0]}` : `${webhook.tenants.length} tenants`) : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

/** The workspace's webhooks and notifications: where each sends, what, and how its deliveries fare. */
export function WebhooksPage() {
  const { ws } = useWorkspaceScope();
  const webhooks = useWebhooks(ws);
  const remove = useDeleteWebhook(ws);
  const [editing, setEditing] = useState<WebhookResponse | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [deleting, setDeleting] = useState<WebhookResponse | null>(null);
  const openForm = (webhook: WebhookResponse | null) => {
    setEditing(webhook);
    setFormOpen(true);
  };
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send the workspace's changes, as they commit, to your endpoints (signed JSON), to Slack, or by e-mail."
        actions={<Button variant="primary" onClick={() => openForm(null)}><Plus className="h-4 w-4" aria-hidden="true" />New webhook</Button>}
      />
      {webhooks.isPending ? (
        <TableSkeleton rows={3} columns={5} />
      ) : webhooks.isError ? (
        <ErrorPanel error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : webhooks.data.items.length === 0 ? (
        <EmptyState icon={Webhook} title="No webhooks yet" action={<Button variant="primary" onClick={() => openForm(null)}>Create a webhook</Button>}>
          Tell a deploy bot, a Slack channel or the on-call team whenever a flag changes.
        </EmptyState>
      ) : (
        <Table label="Webhooks">
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Sends to</Th>
              <Th>Events</Th>
              <Th>Deliveries</Th>
              <Th className="w-44"><span className="sr-only">Actions</span></Th>
            </tr>
          </THead>
          <TBody>
            {webhooks.data.items.map((w) => {
              const Icon = KIND[w.kind].icon;
              return (
                <Tr key={w.id} className={w.enabled ? undefined : "bg-slate-50"}>
                  <Td>
                    <Link to={`/w/${ws}/webhooks/${w.id}`} className="font-medium text-slate-900 hover:text-indigo-700 hover:underline">{w.name}</Link>
                    <div className="mt-0.5 flex items-center gap-1 text-xs text-slate-500">
                      <Icon className="h-3.5 w-3.5" aria-hidden="true" />
                      {KIND[w.kind].label}
                      {!w.enabled && <Badge>off</Badge>}
                    </div>
                  </Td>
                  <Td className="max-w-xs truncate font-mono text-xs" title={destinationOf(w)}>{destinationOf(w)}</Td>
                  <Td className="max-w-xs truncate text-xs text-slate-600" title={filtersOf(w)}>{filtersOf(w)}</Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {w.failed > 0 && <Badge tone="red">{w.failed} failed</Badge>}
                      {w.pending > 0 && <Badge tone="amber">{w.pending} pending</Badge>}
                      {w.failed === 0 && w.pending === 0 && <Badge tone="green">up to date</Badge>}
                    </div>
                  </Td>
                  <Td className="text-right whitespace-nowrap">
                    <Button size="sm" variant="ghost" onClick={() => openForm(w)}>Edit</Button>
                    <Button size="sm" variant="danger-ghost" onClick={() => setDeleting(w)}>Delete</Button>
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
      )}
      <WebhookFormDialog ws={ws} webhook={editing} open={formOpen} onOpenChange={setFormOpen} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete "${deleting?.name ?? ""}"?`}
        tone="danger"
        confirmLabel="Delete webhook"
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id, { onSuccess: () => { toast.success("Webhook deleted"); setDeleting(null); } })}
      >
        <p>Nothing more is sent to it, and its delivery log goes with it.</p>
      </ConfirmDialog>
    </>
  );
}
