import type { UpdateWebhookBody, WebhookDigest, WebhookKind, WebhookResponse, WebhookWithSecretResponse } from "@ensign/contracts/webhooks";
import { AlertTriangle } from "lucide-react";
import { useEffect, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { CopyButton } from "../../../components/ui/copy-button";
import { Dialog } from "../../../components/ui/dialog";
import { Checkbox, Field, Input, Select, Textarea } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreateWebhook, useUpdateWebhook } from "../api/save-webhook";

/** The form's fields: lists are typed as comma- or line-separated text. */
interface Values {
  kind: WebhookKind;
  name: string;
  url: string;
  secret: string;
  recipients: string;
  digest: WebhookDigest;
  eventTypes: string;
  environments: string;
  flags: string;
  tenants: string;
  enabled: boolean;
  rotateSecret: boolean;
}

const FIELDS = ["kind", "name", "url", "secret", "recipients", "digest", "eventTypes", "environments", "flags", "tenants", "enabled"] as const;

const list = (text: string) => text.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
const text = (items: string[]) => items.join(", ");

function valuesOf(webhook: WebhookResponse | null): Values {
  return {
    kind: webhook?.kind ?? "webhook",
    name: webhook?.name ?? "",
    url: webhook?.url ?? "",
    secret: "",
    recipients: text(webhook?.recipients ?? []),
    digest: webhook?.digest ?? "immediate",
    eventTypes: text(webhook?.eventTypes ?? []),
    environments: text(webhook?.environments ?? []),
    flags: text(webhook?.flags ?? []),
    tenants: text(webhook?.tenants ?? []),
    enabled: webhook?.enabled ?? true,
    rotateSecret: false,
  };
}

const KIND_LABELS: Record<WebhookKind, string> = { webhook: "Webhook (signed JSON)", slack: "Slack (incoming webhook)", email: "E-mail" };

/** Creates a webhook, a Slack or an e-mail notification, or edits one; a generated secret is shown once. */
export function WebhookFormDialog({
  ws,
  webhook,
  open,
  onOpenChange,
}: {
  ws: string;
  /** The one to edit; null creates one. */
  webhook: WebhookResponse | null;
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  const create = useCreateWebhook(ws);
  const update = useUpdateWebhook(ws);
  const [saved, setSaved] = useState<WebhookWithSecretResponse | null>(null);
  const form = useForm<Values>({ defaultValues: valuesOf(webhook) });
  const { errors, isSubmitting } = form.formState;
  const kind = useWatch({ control: form.control, name: "kind" });
  useEffect(() => {
    if (open) form.reset(valuesOf(webhook));
  }, [open, webhook, form]);

  const close = (next: boolean) => {
    if (!next) setSaved(null);
    onOpenChange(next);
  };

  const submit = form.handleSubmit(async (values) => {
    const filters = { eventTypes: list(values.eventTypes), environments: list(values.environments), flags: list(values.flags), tenants: list(values.tenants) };
    const destination =
      values.kind === "email" ? { recipients: list(values.recipients), digest: values.digest } : { url: values.url.trim(), ...(values.kind === "webhook" && values.secret ? { secret: values.secret } : {}) };
    try {
      if (webhook) {
        const body: UpdateWebhookBody = { name: values.name, enabled: values.enabled, ...filters, ...destination, ...(values.rotateSecret ? { rotateSecret: true } : {}) };
        const result = await update.mutateAsync({ id: webhook.id, body });
        if (result.secret) setSaved(result);
        else close(false);
      } else {
        const result = await create.mutateAsync({ kind: values.kind, name: values.name, enabled: values.enabled, ...filters, ...destination });
        if (result.secret) setSaved(result);
        else close(false);
      }
    } catch (error) {
      applyApiErrors(error, form.setError, FIELDS);
    }
  });

  if (saved?.secret) {
    return (
      <Dialog open={open} onOpenChange={close} title={`Signing secret of "${saved.name}"`} footer={<Button variant="primary" onClick={() => close(false)}>I have stored the secret</Button>}>
        <div className="space-y-3">
          <p className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
            Copy this secret now: it is shown only once. Your receiver checks each delivery&apos;s <code className="font-mono">Ensign-Signature</code> header with it.
          </p>
          <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-2">
            <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-800" data-testid="webhook-secret">{saved.secret}</code>
            <CopyButton text={saved.secret} label="Copy secret" />
          </div>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      size="lg"
      title={webhook ? `Edit "${webhook.name}"` : "New webhook or notification"}
      description="Every change in the workspace is an event. Filters narrow which ones are sent; left empty, everything is."
      footer={
        <>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="webhook-form" isLoading={isSubmitting}>{webhook ? "Save" : "Create"}</Button>
        </>
      }
    >
      <form id="webhook-form" onSubmit={submit} noValidate className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Kind" error={errors.kind?.message}>
            {(props) => (
              <Select {...props} disabled={webhook !== null} {...form.register("kind")}>
                {(Object.keys(KIND_LABELS) as WebhookKind[]).map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
              </Select>
            )}
          </Field>
          <Field label="Name" error={errors.name?.message}>
            {(props) => <Input autoFocus {...props} placeholder="Deploy bot" {...form.register("name")} />}
          </Field>
        </div>
        {kind === "email" ? (
          <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
            <Field label="Recipients" hint="E-mail addresses, separated by commas." error={errors.recipients?.message}>
              {(props) => <Textarea rows={2} {...props} placeholder="ops@example.com, lead@example.com" {...form.register("recipients")} />}
            </Field>
            <Field label="Send" error={errors.digest?.message}>
              {(props) => (
                <Select {...props} {...form.register("digest")}>
                  <option value="immediate">At once, one e-mail per change</option>
                  <option value="hourly">Hourly digest</option>
                  <option value="daily">Daily digest (midnight UTC)</option>
                </Select>
              )}
            </Field>
          </div>
        ) : (
          <>
            <Field label={kind === "slack" ? "Slack incoming-webhook URL" : "Endpoint URL"} hint={kind === "slack" ? "From your Slack app's Incoming Webhooks page." : "Receives a signed JSON POST per event."} error={errors.url?.message}>
              {(props) => <Input type="url" {...props} placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/ensign-events"} {...form.register("url")} />}
            </Field>
            {kind === "webhook" && (
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label="Signing secret" hint={webhook ? "Leave empty to keep the current one." : "Leave empty to have one generated and shown once."} error={errors.secret?.message}>
                  {(props) => <Input type="password" autoComplete="new-password" {...props} {...form.register("secret")} />}
                </Field>
                {webhook && (
                  <div className="flex items-end pb-2">
                    <Checkbox label="Generate a new secret" {...form.register("rotateSecret")} />
                  </div>
                )}
              </div>
            )}
          </>
        )}
        <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">Filters</legend>
          <Field label="Event types" hint="e.g. flag_state.toggled, tenant_override.*, flag.created" error={errors.eventTypes?.message}>
            {(props) => <Input {...props} placeholder="every event" {...form.register("eventTypes")} />}
          </Field>
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Environments" error={errors.environments?.message}>
              {(props) => <Input {...props} placeholder="all" {...form.register("environments")} />}
            </Field>
            <Field label="Flags" error={errors.flags?.message}>
              {(props) => <Input {...props} placeholder="all" {...form.register("flags")} />}
            </Field>
            <Field label="Tenants" error={errors.tenants?.message}>
              {(props) => <Input {...props} placeholder="all" {...form.register("tenants")} />}
            </Field>
          </div>
        </fieldset>
        <Checkbox label="Enabled" {...form.register("enabled")} />
        {errors.root?.message && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
