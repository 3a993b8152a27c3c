import { LayerAttribute, LayerKey, LayerValue } from "@ensign/contracts/layers";
import { Description, Name } from "@ensign/contracts/common";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Field, Input, Textarea } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";

/** Values are typed as one comma-separated list. */
export const splitValues = (text: string) => text.split(/[,\n]/).map((value) => value.trim()).filter((value) => value.length > 0);

const LayerFormSchema = z.object({
  key: LayerKey,
  name: Name,
  description: Description.optional(),
  attribute: z.union([z.literal(""), LayerAttribute]).optional(),
  values: z.string().refine((text) => splitValues(text).length > 0, "name at least one value").refine((text) => splitValues(text).every((v) => LayerValue.safeParse(v).success), "values use letters, digits, '_', '.', ':', '@', '-'"),
});

export type LayerValues = z.infer<typeof LayerFormSchema>;

/** The layer form, shared by defining (key editable) and editing (key fixed) a layer. */
export function LayerForm({ id, defaultValues, isEdit, onSubmit }: { id: string; defaultValues: LayerValues; isEdit: boolean; onSubmit(values: LayerValues): Promise<unknown> }) {
  const form = useForm<LayerValues>({ resolver: zodResolver(LayerFormSchema), defaultValues });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyApiErrors(error, form.setError, ["key", "name", "description", "attribute", "values"]);
    }
  });
  return (
    <form id={id} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Key" hint={isEdit ? "The key cannot change: overrides and the order name it." : "e.g. platform, region, device"} error={errors.key?.message}>
        {(props) => <Input className="font-mono" disabled={isEdit} autoFocus={!isEdit} {...props} {...form.register("key")} />}
      </Field>
      <Field label="Name" error={errors.name?.message}>
        {(props) => <Input autoFocus={isEdit} {...props} {...form.register("name")} />}
      </Field>
      <Field label="Context attribute" hint="The attribute of the evaluation context whose value picks the override; the key when empty. Dots read nested objects (geo.region)." error={errors.attribute?.message}>
        {(props) => <Input className="font-mono" placeholder="platform" {...props} {...form.register("attribute")} />}
      </Field>
      <Field label="Known values" hint="Comma-separated. Overrides can be set for these values." error={errors.values?.message}>
        {(props) => <Textarea rows={2} className="font-mono" placeholder="meta, google, tiktok" {...props} {...form.register("values")} />}
      </Field>
      <Field label="Description" error={errors.description?.message}>
        {(props) => <Textarea rows={2} {...props} {...form.register("description")} />}
      </Field>
      {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
    </form>
  );
}
