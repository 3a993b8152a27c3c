import { ROLES } from "@ensign/contracts/auth";
import { AddMemberBody } from "@ensign/contracts/members";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Field, Input, Select } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { applyApiErrors } from "../../../lib/form-errors";
import { useAddMember } from "../api/save-member";

type Values = { email: string; name: string; role: (typeof ROLES)[number]; tenantKey?: string; password?: string };

export function AddMemberDialog({ ws, open, onOpenChange }: { ws: string; open: boolean; onOpenChange(open: boolean): void }) {
  const add = useAddMember(ws);
  const form = useForm<Values>({ resolver: zodResolver(AddMemberBody), defaultValues: { email: "", name: "", role: "viewer", tenantKey: undefined, password: undefined } });
  const role = useWatch({ control: form.control, name: "role" });
  const { errors, isSubmitting } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      const member = await add.mutateAsync({ ...values, tenantKey: values.role === "tenant_admin" ? values.tenantKey : undefined, password: values.password || undefined });
      toast.success(member.userCreated ? `${member.email} was created and added` : `${member.email} was added`);
      form.reset();
      onOpenChange(false);
    } catch (error) {
      applyApiErrors(error, form.setError, ["email", "name", "role", "tenantKey", "password"], { conflictField: "email" });
    }
  });
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Add a member"
      description="Someone new to Ensign is created with the name and initial password you give; an existing user is added as they are."
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="add-member" isLoading={isSubmitting}>Add member</Button>
        </>
      }
    >
      <form id="add-member" onSubmit={submit} noValidate className="grid grid-cols-2 gap-4">
        <Field label="Email" error={errors.email?.message} className="col-span-2">
          {(props) => <Input type="email" autoFocus {...props} {...form.register("email")} />}
        </Field>
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input {...props} {...form.register("name")} />}
        </Field>
        <Field label="Role" error={errors.role?.message}>
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
        <Field label="Initial password" hint="Only for people new to Ensign; at least 10 characters." error={errors.password?.message} className="col-span-2">
          {(props) => <Input type="password" autoComplete="new-password" {...props} {...form.register("password", { setValueAs: (v: string) => v || undefined })} />}
        </Field>
        {errors.root && <p role="alert" className="col-span-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
