import { CreateApiKeyBody, type CreatedApiKeyResponse } from "@ensign/contracts/api-keys";
import { zodResolver } from "@hookform/resolvers/zod";
import { AlertTriangle } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { CopyButton } from "../../../components/ui/copy-button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreateApiKey } from "../api/create-api-key";

type Values = { name: string; kind: "server" | "client" };

/** Creates a key and shows its secret once: after closing, only its prefix is ever shown again. */
export function CreateApiKeyDialog({ ws, env, envName, open, onOpenChange }: { ws: string; env: string; envName: string; open: boolean; onOpenChange(open: boolean): void }) {
  const create = useCreateApiKey(ws, env);
  const [created, setCreated] = useState<CreatedApiKeyResponse | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(CreateApiKeyBody), defaultValues: { name: "", kind: "client" } });
  const { errors, isSubmitting } = form.formState;
  const close = (next: boolean) => {
    if (!next) {
      setCreated(null);
      form.reset();
    }
    onOpenChange(next);
  };
  const submit = form.handleSubmit(async (values) => {
    try {
      setCreated(await create.mutateAsync(values));
    } catch (error) {
      applyApiErrors(error, form.setError, ["name", "kind"]);
    }
  });
  if (created) {
    return (
      <Dialog open={open} onOpenChange={close} title={`Key "${created.name}" created`} footer={<Button variant="primary" onClick={() => close(false)}>I have stored the key</Button>}>
        <div className="space-y-4">
          <p className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
            <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
            Copy this secret now. It is shown only once; Ensign keeps only a hash of it.
          </p>
          <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-2">
            <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-800" data-testid="api-key-secret">{created.secret}</code>
            <CopyButton text={created.secret} label="Copy key" />
          </div>
          <p className="text-xs text-slate-500">
            {created.kind === "server" ? "Server keys download the full configuration for local evaluation; keep them on your servers." : "Client keys only evaluate flags for a context and may be shipped in browsers and apps."}
          </p>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title={`New API key for ${envName}`}
      footer={
        <>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-api-key" isLoading={isSubmitting}>Create key</Button>
        </>
      }
    >
      <form id="create-api-key" onSubmit={submit} noValidate className="space-y-4">
        <Field label="Name" hint="Where the key is used, e.g. producer portal (web)." error={errors.name?.message}>
          {(props) => <Input autoFocus {...props} {...form.register("name")} />}
        </Field>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">Kind</legend>
          {(
            [
              ["client", "Client", "Evaluates flags for a context; never sees rules. Safe in browsers."],
              ["server", "Server", "Downloads the environment's rules for local evaluation and sets identity traits. Secret."],
            ] as const
          ).map(([value, label, help]) => (
            <label key={value} className="flex cursor-pointer gap-3 rounded-md border border-slate-200 p-3 has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50/50">
              <input type="radio" value={value} className="mt-1 accent-indigo-600" {...form.register("kind")} />
              <span>
                <span className="block text-sm font-medium text-slate-900">{label}</span>
                <span className="block text-xs text-slate-500">{help}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
