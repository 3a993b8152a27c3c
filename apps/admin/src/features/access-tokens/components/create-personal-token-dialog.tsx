import { CreatePersonalTokenBody, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, TOKEN_ROLES, type CreatedPersonalTokenResponse } from "@ensign/contracts/access-tokens";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input, Select } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreatePersonalToken } from "../api/create-personal-token";
import { TokenSecret } from "./token-secret";

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
  if (created) {
    return (
      <Dialog open={open} onOpenChange={close} title={`Token "${created.name}" created`} footer={<Button variant="primary" onClick={() => close(false)}>I have stored the token</Button>}>
        <TokenSecret secret={created.secret} />
      </Dialog>
    );
  }
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="New personal access token"
      footer={
        <>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-personal-token" isLoading={isSubmitting}>Create token</Button>
        </>
      }
    >
      <form id="create-personal-token" onSubmit={submit} noValidate className="space-y-4">
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
        {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
