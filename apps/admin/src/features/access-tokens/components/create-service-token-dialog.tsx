import { CreateServiceTokenBody, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TOKEN_ROLES, type CreatedServiceTokenResponse } from "@ensign/contracts/access-tokens";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Field, Input, Select } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreateServiceToken } from "../api/create-service-token";
import { TokenFormDialog } from "./token-form-dialog";

/** What the form holds (defaults filled in) and what it submits. */
type Values = z.input<typeof CreateServiceTokenBody>;
type Submitted = z.output<typeof CreateServiceTokenBody>;

/** Creates a workspace's service token and shows its secret once. */
export function CreateServiceTokenDialog({
  ws,
  environments,
  open,
  onOpenChange,
}: {
  ws: string;
  environments: { key: string; name: string }[];
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  const create = useCreateServiceToken(ws);
  const [created, setCreated] = useState<CreatedServiceTokenResponse | null>(null);
  const form = useForm<Values, unknown, Submitted>({ resolver: zodResolver(CreateServiceTokenBody), defaultValues: { name: "", role: "editor", environment: null, expiresInDays: DEFAULT_TOKEN_DAYS } });
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
      applyApiErrors(error, form.setError, ["name", "role", "environment", "expiresInDays"]);
    }
  });
  return (
    <TokenFormDialog
      open={open}
      onOpenChange={close}
      title="New service token"
      formId="create-service-token"
      onSubmit={submit}
      isSubmitting={isSubmitting}
      rootError={errors.root?.message}
      created={created}
      createdTitle={(name) => `Service token "${name}" created`}
    >
      <Field label="Name" hint="What uses it, e.g. GitHub Actions (staging)." error={errors.name?.message}>
        {(props) => <Input autoFocus {...props} {...form.register("name")} />}
      </Field>
      <Field label="Role" hint="What the token may do in this workspace." error={errors.role?.message}>
        {(props) => (
          <Select {...props} {...form.register("role")}>
            {TOKEN_ROLES.map((role) => <option key={role} value={role}>{role}</option>)}
          </Select>
        )}
      </Field>
      <Field label="Environment" hint="Bound to one environment, it may change only that environment's state." error={errors.environment?.message}>
        {(props) => (
          <Select {...props} {...form.register("environment", { setValueAs: (value: string | null) => (value ? value : null) })}>
            <option value="">Every environment</option>
            {environments.map((e) => <option key={e.key} value={e.key}>{e.name}</option>)}
          </Select>
        )}
      </Field>
      <Field label="Expires in (days)" hint={`At most ${MAX_TOKEN_DAYS}.`} error={errors.expiresInDays?.message}>
        {(props) => <Input type="number" min={1} max={MAX_TOKEN_DAYS} {...props} {...form.register("expiresInDays", { valueAsNumber: true })} />}
      </Field>
    </TokenFormDialog>
  );
}
