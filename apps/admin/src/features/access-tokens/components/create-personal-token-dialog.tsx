import { CreatePersonalTokenBody, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TOKEN_ROLES, type CreatedPersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Field, Input, Select } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreatePersonalToken } from "../api/create-personal-token";
import { TokenFormDialog } from "./token-form-dialog";

/** What the form holds (defaults filled in) and what it submits. */
type Values = z.input<typeof CreatePersonalTokenBody>;
type Submitted = z.output<typeof CreatePersonalTokenBody>;

/** Creates one of the user's own tokens and shows its secret once. */
export function CreatePersonalTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const create = useCreatePersonalToken();
  const [created, setCreated] = useState<CreatedPersonalTokenResponse | null>(null);
  const form = useForm<Values, unknown, Submitted>({ resolver: zodResolver(CreatePersonalTokenBody), defaultValues: { name: "", maxRole: null, expiresInDays: DEFAULT_TOKEN_DAYS } });
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
      applyApiErrors(error, form.setError, ["name", "maxRole", "expiresInDays"]);
    }
  });
  return (
    <TokenFormDialog
      open={open}
      onOpenChange={close}
      title="New personal access token"
      formId="create-personal-token"
      onSubmit={submit}
      isSubmitting={isSubmitting}
      rootError={errors.root?.message}
      created={created}
      createdTitle={(name) => `Token "${name}" created`}
    >
      <Field label="Name" hint="What uses it, e.g. release script." error={errors.name?.message}>
        {(props) => <Input autoFocus {...props} {...form.register("name")} />}
      </Field>
      <Field label="Highest role" hint="The token acts with your role in each workspace, never above it; a lower cap limits it further." error={errors.maxRole?.message}>
        {(props) => (
          <Select {...props} {...form.register("maxRole", { setValueAs: (value: string | null) => (value ? value : null) })}>
            <option value="">Your own role</option>
            {TOKEN_ROLES.map((role) => <option key={role} value={role}>{role}</option>)}
          </Select>
        )}
      </Field>
      <Field label="Expires in (days)" hint={`At most ${MAX_TOKEN_DAYS}.`} error={errors.expiresInDays?.message}>
        {(props) => <Input type="number" min={1} max={MAX_TOKEN_DAYS} {...props} {...form.register("expiresInDays", { valueAsNumber: true })} />}
      </Field>
    </TokenFormDialog>
  );
}
