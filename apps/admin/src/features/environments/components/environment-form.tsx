import { CreateEnvironmentBody, ExposedHeaders } from "@ensign/contracts/environments";
import { zodResolver } from "@hookform/resolvers/zod";
import { Controller, useForm, useWatch } from "react-hook-form";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Field, Input } from "../../../components/ui/input";
import { Switch } from "../../../components/ui/switch";
import { applyApiErrors } from "../../../lib/form-errors";

export type EnvironmentValues = { key: string; name: string; color?: string | null; requireContextToken?: boolean; isProduction?: boolean; exposedHeaders?: string[] };

const EnvironmentFormSchema = CreateEnvironmentBody.extend({ exposedHeaders: ExposedHeaders.optional() });

/** The first problem with the exposed headers, the list's own or one name's. */
function headersError(error: unknown): string | undefined {
  if (!error || typeof error !== "object") return undefined;
  const own = (error as { message?: unknown }).message;
  if (typeof own === "string" && own) return own;
  for (const item of Object.values(error)) {
    const message = (item as { message?: unknown } | undefined)?.message;
    if (typeof message === "string" && message) return message;
  }
  return undefined;
}

/** Creating an environment that does not require signed context tokens is an opt-out: owners only (`canOptOut`). */
export function EnvironmentForm({ id, defaultValues, isEdit, canOptOut, onSubmit }: { id: string; defaultValues: EnvironmentValues; isEdit: boolean; canOptOut: boolean; onSubmit(values: EnvironmentValues): Promise<unknown> }) {
  const form = useForm<EnvironmentValues>({ resolver: zodResolver(EnvironmentFormSchema) as never, defaultValues });
  const { errors } = form.formState;
  const key = useWatch({ control: form.control, name: "key" });
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyApiErrors(error, form.setError, ["key", "name", "color", "requireContextToken", "isProduction", "exposedHeaders"]);
    }
  });
  return (
    <form id={id} onSubmit={submit} noValidate className="grid grid-cols-2 gap-4">
      <Field label="Name" error={errors.name?.message}>
        {(props) => <Input autoFocus {...props} {...form.register("name")} />}
      </Field>
      <Field label="Key" hint={isEdit ? "API keys and SDKs name it; it cannot change." : "e.g. qa, eu-production"} error={errors.key?.message}>
        {(props) => <Input className="font-mono" disabled={isEdit} {...props} {...form.register("key")} />}
      </Field>
      <Field label="Colour" hint="Shown next to the environment's name everywhere." error={errors.color?.message}>
        {(props) => <Input type="color" className="h-9 w-20 p-1" {...props} {...form.register("color")} />}
      </Field>
      {!isEdit && (
        <div className="col-span-2 flex items-start gap-3">
          <Controller
            control={form.control}
            name="requireContextToken"
            render={({ field }) => <Switch label="Require signed context tokens" checked={field.value ?? true} disabled={!canOptOut} onCheckedChange={field.onChange} />}
          />
          <div className="text-sm">
            <p className="font-medium text-slate-700">Require signed context tokens</p>
            <p className="text-slate-500">Client keys must send a token your backend signs, so a user sees only their own flags; server keys are exempt. Only owners can create an environment without it.</p>
          </div>
        </div>
      )}
      <div className="col-span-2 flex items-start gap-3">
        <Controller
          control={form.control}
          name="isProduction"
          // Unset on a new environment: the API marks the key `production` as production by default.
          render={({ field }) => <Switch label="Production" checked={field.value ?? key === "production"} onCheckedChange={field.onChange} />}
        />
        <div className="text-sm">
          <p className="font-medium text-slate-700">Production</p>
          <p className="text-slate-500">Live customer traffic: turning a flag on or off, or changing its rollout, here asks for confirmation and shows which tenants it affects first.</p>
        </div>
      </div>
      {isEdit && (
        <div className="col-span-2 space-y-1 text-sm">
          <p className="font-medium text-slate-700" id={`${id}-headers-label`}>
            Exposed request headers
          </p>
          <Controller
            control={form.control}
            name="exposedHeaders"
            render={({ field }) => (
              <ValuesInput
                label="Exposed headers"
                values={field.value ?? []}
                onChange={(values) => field.onChange(values.map((value) => String(value).toLowerCase()))}
                placeholder="e.g. x-platform, press Enter"
                invalid={!!headersError(errors.exposedHeaders)}
              />
            )}
          />
          {headersError(errors.exposedHeaders) && (
            <p role="alert" className="text-red-600">
              {headersError(errors.exposedHeaders)}
            </p>
          )}
          <p className="text-slate-500">
            Portal and OFREP evaluations add these headers to the context as <code>header.&lt;name&gt;</code> for rules to target. Browsers and apps choose their values: use them for targeting, never to grant access. Credential headers cannot be exposed.
          </p>
        </div>
      )}
      {errors.root && <p role="alert" className="col-span-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
    </form>
  );
}
