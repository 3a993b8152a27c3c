import type { EnvironmentSummary } from "@ensign/contracts/workspaces";
import { KeyRound, Pencil, Plus, RotateCw, Trash2 } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { Button } from "../../../components/ui/button";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { CopyButton } from "../../../components/ui/copy-button";
import { Dialog } from "../../../components/ui/dialog";
import { Input } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { toast } from "../../../components/ui/toaster";
import { formatNumber } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useRevealContextSecret, useRotateContextSecret } from "../api/context-secret";
import { useCreateEnvironment, useDeleteEnvironment, useUpdateEnvironment } from "../api/save-environment";
import { CONTEXT_TOKEN_EXPLANATION, ContextTokenSwitch } from "./context-token-switch";
import { EnvironmentForm } from "./environment-form";
import { MASTER_SWITCH_EXPLANATION, MasterSwitchControl } from "./master-switch-control";


const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
export function EnvironmentsPage() {
  const { ws, environments, env, can, role } = useWorkspaceScope();
  const canOptOut = role === "owner";
  const canWrite = can("definitions:write");
  const canKeys = can("keys:manage");
  const create = useCreateEnvironment(ws);
  const update = useUpdateEnvironment(ws);
  const remove = useDeleteEnvironment(ws);
  const reveal = useRevealContextSecret(ws);
  const rotate = useRotateContextSecret(ws);
  const [editing, setEditing] = useState<EnvironmentSummary | "new" | null>(null);
  const [deleting, setDeleting] = useState<EnvironmentSummary | null>(null);
  const [confirmText, setConfirmText] = useState("");
  const [secret, setSecret] = useState<{ env: string; secret: string } | null>(null);

  return (
    <>
      <PageHeader
        title="Environments"
        description="Flag definitions are shared by every environment; on/off, rules, rollouts and overrides are set per environment. API keys belong to one environment."
        actions={canWrite && <Button variant="primary" onClick={() => setEditing("new")}><Plus className="h-4 w-4" aria-hidden="true" />New environment</Button>}
      />
      <Table label="Environments">
        <THead>
          <tr>
            <Th>Name</Th>
            <Th>Key</Th>
            <Th>Signed context tokens</Th>
            <Th>Master switch</Th>
            <Th className="text-right">Changes published</Th>
            <Th className="w-64"><span className="sr-only">Actions</span></Th>
          </tr>
        </THead>
        <TBody>
          {environments.map((e) => (
            <Tr key={e.id}>
              <Td>
                <span className="inline-flex items-center gap-2 font-medium text-slate-900">
                  <span className="h-2.5 w-2.5 rounded-full" style={{ background: e.color ?? "#64748b" }} aria-hidden="true" />
                  {e.name}
                  {e.isProduction && <Badge tone="red" title="Toggles and rollouts here ask for confirmation">production</Badge>}
                  {e.key === env && <Badge tone="indigo">current</Badge>}
                </span>
              </Td>
              <Td className="font-mono text-xs">{e.key}</Td>
              <Td><ContextTokenSwitch ws={ws} environment={e} canEdit={canWrite} canOptOut={canOptOut} /></Td>
              <Td><MasterSwitchControl ws={ws} environment={e} canEdit={canWrite} /></Td>
              <Td className="text-right tabular-nums" title="The environment's snapshot version increases with every change that can alter an evaluation">{formatNumber(e.snapshotVersion)}</Td>
              <Td className="text-right whitespace-nowrap">
                {canKeys && (
                  <Button size="sm" variant="ghost" onClick={() => reveal.mutate(e.key, { onSuccess: (s) => setSecret({ env: e.key, secret: s.secret }) })}>
                    <KeyRound className="h-3.5 w-3.5" aria-hidden="true" />
                    Signing secret
                  </Button>
                )}
                {canWrite && (
                  <>
                    <Button size="icon" variant="ghost" aria-label={`Edit ${e.name}`} onClick={() => setEditing(e)}><Pencil className="h-4 w-4" aria-hidden="true" /></Button>
                    <Button size="icon" variant="danger-ghost" aria-label={`Delete ${e.name}`} disabled={environments.length <= 1} onClick={() => { setConfirmText(""); setDeleting(e); }}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                  </>
                )}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <p className="mt-3 text-sm text-slate-600">{CONTEXT_TOKEN_EXPLANATION}</p>
      <p className="mt-2 text-sm text-slate-600">{MASTER_SWITCH_EXPLANATION}</p>
      <Dialog
        open={editing !== null}
        onOpenChange={(open) => !open && setEditing(null)}
        title={editing === "new" ? "New environment" : `Edit ${editing?.name ?? ""}`}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button variant="primary" type="submit" form="environment-form" isLoading={create.isPending || update.isPending}>{editing === "new" ? "Create environment" : "Save"}</Button>
          </>
        }
      >
        {editing !== null && (
          <EnvironmentForm
            id="environment-form"
            isEdit={editing !== "new"}
            canOptOut={canOptOut}
            defaultValues={editing === "new" ? { key: "", name: "", color: "#6366f1", requireContextToken: true } : { key: editing.key, name: editing.name, color: editing.color ?? "#64748b", isProduction: editing.isProduction, exposedHeaders: editing.exposedHeaders }}
            onSubmit={async (values) => {
              if (editing === "new") await create.mutateAsync({ key: values.key, name: values.name, color: values.color || null, requireContextToken: values.requireContextToken ?? true, ...(values.isProduction === undefined ? {} : { isProduction: values.isProduction }) });
              else await update.mutateAsync({ env: editing.key, version: editing.version, body: { name: values.name, color: values.color || null, ...(values.isProduction === editing.isProduction ? {} : { isProduction: values.isProduction }), ...(sameList(values.exposedHeaders ?? [], editing.exposedHeaders) ? {} : { exposedHeaders: values.exposedHeaders ?? [] }) } });
              toast.success(editing === "new" ? `Environment ${values.key} created` : "Environment saved");
              setEditing(null);
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.name ?? ""}?`}
        tone="danger"
        confirmLabel="Delete environment"
        disabled={confirmText !== deleting?.key}
        isPending={remove.isPending}
        onConfirm={() => deleting && remove.mutate({ env: deleting.key, version: deleting.version }, { onSuccess: () => { toast.success("Environment deleted"); setDeleting(null); } })}
      >
        <p>Every flag state, override, schedule, identity and API key of this environment is deleted. SDKs using its keys stop working.</p>
        <label className="block text-sm font-medium text-slate-700">
          Type <code className="font-mono">{deleting?.key}</code> to confirm
          <Input className="mt-1 font-mono" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} />
        </label>
      </ConfirmDialog>
      <Dialog
        open={secret !== null}
        onOpenChange={(open) => !open && setSecret(null)}
        title={`Context signing secret of ${secret?.env ?? ""}`}
        description="Your backend signs context tokens with this HS256 secret so a portal user can only ever see their own flags."
        footer={
          <>
            <Button
              variant="danger-ghost"
              isLoading={rotate.isPending}
              onClick={() => secret && rotate.mutate(secret.env, { onSuccess: (s) => { setSecret({ env: s.environment, secret: s.secret }); toast.success("Secret rotated: tokens signed with the old one are refused"); } })}
            >
              <RotateCw className="h-3.5 w-3.5" aria-hidden="true" />
              Rotate
            </Button>
            <Button onClick={() => setSecret(null)}>Close</Button>
          </>
        }
      >
        <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-2">
          <code className="min-w-0 flex-1 font-mono text-xs break-all">{secret?.secret}</code>
          {secret && <CopyButton text={secret.secret} />}
        </div>
      </Dialog>
    </>
  );
}
