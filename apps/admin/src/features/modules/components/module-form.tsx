import { CreateModuleBody } from "@ensign/contracts/modules";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Checkbox, Field, Input, Textarea } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";

export type ModuleValues = { key: string; name: string; description?: string; keyPrefix?: string | null; tenantManageable?: boolean };

/** The module form, shared by creating (key editable) and editing (key fixed). */
export function ModuleForm({ id, defaultValues, isEdit, onSubmit }: { id: string; defaultValues: ModuleValues; isEdit: boolean; onSubmit(values: ModuleValues): Promise<unknown> }) {
  const form = useForm<ModuleValues>({ resolver: zodResolver(CreateModuleBody), defaultValues });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyApiErrors(error, form.setError, ["key", "name", "description", "keyPrefix"]);
    }
  });
  return (
    <form id={id} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Key" hint={isEdit ? "The key cannot change: tenants' module switches name it." : "e.g. FIN, STR, TENADMIN"} error={errors.key?.message}>
        {(props) => <Input className="font-mono" disabled={isEdit} autoFocus={!isEdit} {...props} {...form.register("key")} />}
      </Field>
      <Field label="Name" error={errors.name?.message}>
        {(props) => <Input autoFocus={isEdit} {...props} {...form.register("name")} />}
      </Field>
      <Field label="Description" error={errors.description?.message}>
        {(props) => <Textarea rows={3} {...props} {...form.register("description")} />}
      </Field>
      <Field label="Flag key prefix" hint="Optional. Flags created in this module must have keys starting with it, e.g. fin_ for fin_reports." error={errors.keyPrefix?.message}>
        {(props) => <Input className="font-mono" placeholder="fin_" {...props} {...form.register("keyPrefix", { setValueAs: (v: string | null) => (v ? v.trim() || null : null) })} />}
      </Field>
      <Checkbox label="Tenant admins may switch this module on or off for their own tenant" {...form.register("tenantManageable")} />
      {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
    </form>
  );
}
