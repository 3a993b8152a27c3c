import { ROLES } from "@ensign/contracts/auth";
import { CreateInvitationBody, type CreatedInvitationResponse } from "@ensign/contracts/invitations";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input, Select } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";
import { useCreateInvitation } from "../api/create-invitation";
import { OneTimeLink } from "./one-time-link";

type Values = { email: string; role: (typeof ROLES)[number]; tenantKey?: string };

/** Invites an email with a role, then shows the accept link once. */
export function InviteMemberDialog({ ws, open, onOpenChange }: { ws: string; open: boolean; onOpenChange(open: boolean): void }) {
  const create = useCreateInvitation(ws);
  const [created, setCreated] = useState<CreatedInvitationResponse | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(CreateInvitationBody), defaultValues: { email: "", role: "viewer", tenantKey: undefined } });
  const role = useWatch({ control: form.control, name: "role" });
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
      setCreated(await create.mutateAsync({ ...values, tenantKey: values.role === "tenant_admin" ? values.tenantKey : undefined }));
    } catch (error) {
      applyApiErrors(error, form.setError, ["email", "role", "tenantKey"], { conflictField: "email" });
    }
  });

  if (created) {
    return (
      <Dialog open={open} onOpenChange={close} title={`Invitation for ${created.email}`} footer={<Button variant="primary" onClick={() => close(false)}>Done</Button>}>
        <OneTimeLink url={created.acceptUrl} expiresAt={created.expiresAt} testId="invitation-link" />
        <p className="mt-3 text-sm text-slate-500">
          They become a {created.role.replace("_", " ")} when they open it: someone new to Ensign chooses a name and password; someone with an account signs in first.
        </p>
      </Dialog>
    );
  }
  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="Invite a member"
      description="You get a link to send them; they join once they accept it."
      footer={
        <>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="invite-member" isLoading={isSubmitting}>Create invitation</Button>
        </>
      }
    >
      <form id="invite-member" onSubmit={submit} noValidate className="grid grid-cols-2 gap-4">
        <Field label="Email" error={errors.email?.message} className="col-span-2">
          {(props) => <Input type="email" autoFocus {...props} {...form.register("email")} />}
        </Field>
        <Field label="Role" error={errors.role?.message} className="col-span-2">
          {(props) => (
            <Select {...props} {...form.register("role")}>
              {ROLES.map((r) => <option key={r} value={r}>{r.replace("_", " ")}</option>)}
            </Select>
          )}
        </Field>
        {role === "tenant_admin" && (
          <Field label="Tenant key" hint="The one tenant they manage." error={errors.tenantKey?.message} className="col-span-2">
            {(props) => <Input className="font-mono" {...props} {...form.register("tenantKey", { setValueAs: (v: string) => v || undefined })} />}
          </Field>
        )}
        {errors.root && <p role="alert" className="col-span-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
