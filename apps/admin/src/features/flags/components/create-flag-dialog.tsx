import { CreateFlagBody } from "@ensign/contracts/flags";
import { FLAG_TYPES, type FlagType, type Variant } from "@ensign/contracts/targeting";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { useNavigate } from "react-router";
import type { z } from "zod";
import { defaultVariants, VariantsEditor } from "../../../components/targeting/variants-editor";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Button } from "../../../components/ui/button";
import { Dialog } from "../../../components/ui/dialog";
import { Checkbox, Field, Input, Select, Textarea } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { keyFromName } from "../../../lib/format";
import { applyApiErrors } from "../../../lib/form-errors";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useCreateFlag } from "../api/create-flag";
import { facetsOf, useFlagDefinitions } from "../api/get-flag-definitions";
import { PrerequisitesPicker } from "./prerequisites-picker";

type Input = z.input<typeof CreateFlagBody>;
const FIELDS = ["key", "name", "description", "module", "type", "variants", "offVariant", "onVariant", "tags", "isBeta", "tenantManageable", "trackAnalytics", "dependsOn", "lifecycle", "owner", "initialState"];

const initial: Input = { key: "", name: "", description: "", type: "boolean", module: null, tags: [], isBeta: false, tenantManageable: false, trackAnalytics: true, dependsOn: [], lifecycle: "temporary", initialState: { enabled: false } };

/** Creates a flag: the key follows the name until you edit it, and is fixed once saved. */
export function CreateFlagDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const { ws } = useWorkspaceScope();
  const navigate = useNavigate();
  const create = useCreateFlag(ws);
  const definitions = useFlagDefinitions(ws);
  const { modules } = facetsOf(definitions.data);
  const form = useForm<Input, unknown, CreateFlagBody>({ resolver: zodResolver(CreateFlagBody), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  // The key follows the name until the user types in the key field.
  const [keyEdited, setKeyEdited] = useState(false);
  const type = useWatch({ control: form.control, name: "type" }) ?? "boolean";
  const variants = useWatch({ control: form.control, name: "variants" });

  const close = (next: boolean) => {
    if (!next) {
      form.reset(initial);
      setKeyEdited(false);
    }
    onOpenChange(next);
  };
  const submit = form.handleSubmit(async (values) => {
    try {
      const body = values.type === "boolean" ? { ...values, variants: undefined, offVariant: undefined, onVariant: undefined } : values;
      const created = await create.mutateAsync({ ...body, description: body.description || undefined, owner: body.owner || undefined, module: body.module || undefined });
      toast.success(`Flag ${created.key} created`);
      close(false);
      navigate(`/w/${ws}/flags/${encodeURIComponent(created.key)}`);
    } catch (error) {
      applyApiErrors(error, form.setError, FIELDS);
    }
  });
  const name = form.register("name", {
    onChange: (e: { target: { value: string } }) => {
      if (!keyEdited) form.setValue("key", keyFromName(e.target.value), { shouldValidate: form.formState.isSubmitted });
    },
  });
  const setType = (next: FlagType) => {
    form.setValue("type", next);
    if (next === "boolean") {
      form.setValue("variants", undefined);
      form.setValue("offVariant", undefined);
      form.setValue("onVariant", undefined);
    } else {
      const fresh = defaultVariants(next);
      form.setValue("variants", fresh);
      form.setValue("offVariant", fresh[0]!.key);
      form.setValue("onVariant", fresh[1]!.key);
    }
  };
  const variantKeys = (variants ?? []).map((v) => v.key);

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      size="lg"
      title="Create a flag"
      description="A flag starts disabled in every environment unless you say otherwise."
      footer={
        <>
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-flag" isLoading={isSubmitting}>Create flag</Button>
        </>
      }
    >
      <form id="create-flag" onSubmit={submit} noValidate className="grid grid-cols-2 gap-x-4 gap-y-4">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input autoFocus placeholder="AI invoice extraction" {...props} {...name} />}
        </Field>
        <Field label="Key" hint="Generated from the name; editable until the flag is saved." error={errors.key?.message}>
          {(props) => <Input className="font-mono text-xs" {...props} {...form.register("key", { onChange: () => setKeyEdited(true) })} />}
        </Field>
        <Field label="Description" error={errors.description?.message} className="col-span-2">
          {(props) => <Textarea rows={2} placeholder="What turning it on changes, for whom" {...props} {...form.register("description")} />}
        </Field>
        <Field label="Type" error={errors.type?.message}>
          {(props) => (
            <Select {...props} value={type} onChange={(e) => setType(e.target.value as FlagType)}>
              {FLAG_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </Select>
          )}
        </Field>
        <Field label="Module" hint="Switching a module off for a tenant turns its flags off there." error={errors.module?.message}>
          {(props) => (
            <>
              <Input list="flag-modules" placeholder="none" className="font-mono text-xs" {...props} {...form.register("module", { setValueAs: (v: string) => v || null })} />
              <datalist id="flag-modules">{modules.map((m) => <option key={m} value={m} />)}</datalist>
            </>
          )}
        </Field>
        {type !== "boolean" && (
          <div className="col-span-2 space-y-2 rounded-md border border-slate-200 p-3">
            <p className="text-sm font-medium text-slate-700">Variants</p>
            <Controller control={form.control} name="variants" render={({ field }) => <VariantsEditor type={type} value={(field.value ?? []) as Variant[]} onChange={field.onChange} />} />
            <div className="grid grid-cols-2 gap-3">
              <Field label="Served when off" error={errors.offVariant?.message}>
                {(props) => <Select {...props} {...form.register("offVariant")}>{variantKeys.map((k) => <option key={k} value={k}>{k}</option>)}</Select>}
              </Field>
              <Field label="Served when switched on for a tenant" error={errors.onVariant?.message}>
                {(props) => <Select {...props} {...form.register("onVariant")}>{variantKeys.map((k) => <option key={k} value={k}>{k}</option>)}</Select>}
              </Field>
            </div>
            {errors.variants && <p role="alert" className="text-xs text-red-600">{errors.variants.message ?? "Check the variants"}</p>}
          </div>
        )}
        <div className="col-span-2 space-y-1.5">
          <span className="block text-sm font-medium text-slate-700">Tags</span>
          <Controller control={form.control} name="tags" render={({ field }) => <ValuesInput label="Tags" placeholder="Type a tag, press Enter" values={field.value ?? []} onChange={(v) => field.onChange(v.map(String))} invalid={!!errors.tags} />} />
          {errors.tags && <p className="text-xs text-red-600">{errors.tags.message ?? "Tags use letters, digits, '_', '.', ':', '/', '-'"}</p>}
        </div>
        <div className="col-span-2 space-y-1.5">
          <span className="block text-sm font-medium text-slate-700">Prerequisites</span>
          <Controller control={form.control} name="dependsOn" render={({ field }) => <PrerequisitesPicker value={field.value ?? []} onChange={field.onChange} options={definitions.data ?? []} invalid={!!errors.dependsOn} />} />
          {errors.dependsOn && <p role="alert" className="text-xs text-red-600">{errors.dependsOn.message}</p>}
        </div>
        <Field label="Owner" error={errors.owner?.message}>
          {(props) => <Input placeholder="team or person" {...props} {...form.register("owner", { setValueAs: (v: string) => v.trim() || null })} />}
        </Field>
        <Field label="Lifecycle" error={errors.lifecycle?.message}>
          {(props) => (
            <Select {...props} {...form.register("lifecycle")}>
              <option value="temporary">Temporary (a release toggle, to remove later)</option>
              <option value="permanent">Permanent (an entitlement or kill switch)</option>
            </Select>
          )}
        </Field>
        <div className="col-span-2 flex flex-wrap gap-6">
          <Checkbox label="Beta" {...form.register("isBeta")} />
          <Checkbox label="Tenant admins may switch it" {...form.register("tenantManageable")} />
          <Checkbox label="Track analytics" {...form.register("trackAnalytics")} />
          <Checkbox label="Enabled in every environment at once" {...form.register("initialState.enabled")} />
        </div>
        {errors.root && <p role="alert" className="col-span-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
      </form>
    </Dialog>
  );
}
