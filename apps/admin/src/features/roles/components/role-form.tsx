import { CreateRoleBody } from "@ensign/contracts/roles";
import { zodResolver } from "@hookform/resolvers/zod";
import { Controller, useForm } from "react-hook-form";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Field, Input, Textarea } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";

export type RoleValues = { key: string; name: string; description?: string; inherits: string[]; inheritedBy?: string[] };

export interface RoleFormProps {
  id: string;
  defaultValues: RoleValues;
  isEdit: boolean;
  /** A tenant's own role, which may also be placed under other roles (`inheritedBy`). */
  isTenantRole: boolean;
  /** Keys of the roles it may name. */
  roleKeys: string[];
  onSubmit(values: RoleValues): Promise<unknown>;
}

/** The role form, shared by creating (key editable) and editing (key fixed: rules name it). */
export function RoleForm({ id, defaultValues, isEdit, isTenantRole, roleKeys, onSubmit }: RoleFormProps) {
  const form = useForm<RoleValues>({ resolver: zodResolver(CreateRoleBody) as never, defaultValues });
  const { errors } = form.formState;
  const others = roleKeys.filter((key) => key !== defaultValues.key);
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyApiErrors(error, form.setError, ["key", "name", "description", "inherits", "inheritedBy"]);
    }
  });
  return (
    <form id={id} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Key" hint={isEdit ? "The key cannot change: rules name it." : "What your application sends as the user's role, e.g. team_lead"} error={errors.key?.message}>
        {(props) => <Input className="font-mono" disabled={isEdit} autoFocus={!isEdit} {...props} {...form.register("key")} />}
      </Field>
      <Field label="Name" error={errors.name?.message}>
        {(props) => <Input autoFocus={isEdit} {...props} {...form.register("name")} />}
      </Field>
      <Field label="Description" error={errors.description?.message}>
        {(props) => <Textarea rows={2} {...props} {...form.register("description")} />}
      </Field>
      <Controller
        control={form.control}
        name="inherits"
        render={({ field }) => (
          <Field label="Inherits" hint="The roles directly below this one: it unlocks everything they unlock." error={errors.inherits?.message ?? errors.inherits?.[0]?.message}>
            {() => <ValuesInput label="Inherits" values={field.value} onChange={(values) => field.onChange(values.map(String))} placeholder="role key" suggestions={others} invalid={!!errors.inherits} />}
          </Field>
        )}
      />
      {isTenantRole && (
        <Controller
          control={form.control}
          name="inheritedBy"
          render={({ field }) => (
            <Field
              label="Inherited by"
              hint="Optional: roles above this one that, for this tenant, unlock what it unlocks. Inheriting manager and inherited by admin places it between the two."
              error={errors.inheritedBy?.message ?? errors.inheritedBy?.[0]?.message}
            >
              {() => <ValuesInput label="Inherited by" values={field.value ?? []} onChange={(values) => field.onChange(values.map(String))} placeholder="role key" suggestions={others} invalid={!!errors.inheritedBy} />}
            </Field>
          )}
        />
      )}
      {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
    </form>
  );
}
