import { CreateSegmentBody, type SegmentResponse } from "@ensign/contracts/segments";
import type { Condition, SegmentRule } from "@ensign/contracts/targeting";
import { zodResolver } from "@hookform/resolvers/zod";
import { Plus, Trash2 } from "lucide-react";
import { Controller, useForm } from "react-hook-form";
import { ConditionRow } from "../../../components/targeting/condition-row";
import { newCondition } from "../../../components/targeting/rule-builder";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Button } from "../../../components/ui/button";
import { Field, Input, Textarea } from "../../../components/ui/input";
import { applyApiErrors } from "../../../lib/form-errors";

export type SegmentValues = {
  key: string;
  name: string;
  description?: string;
  includedUsers: string[];
  excludedUsers: string[];
  includedTenants: string[];
  excludedTenants: string[];
  rules: SegmentRule[];
};

export const segmentDefaults = (segment?: SegmentResponse): SegmentValues => ({
  key: segment?.key ?? "",
  name: segment?.name ?? "",
  description: segment?.description ?? "",
  includedUsers: segment?.includedUsers ?? [],
  excludedUsers: segment?.excludedUsers ?? [],
  includedTenants: segment?.includedTenants ?? [],
  excludedTenants: segment?.excludedTenants ?? [],
  rules: segment?.rules ?? [],
});

const LISTS = [
  ["includedTenants", "Tenants in the segment", "tenant key"],
  ["excludedTenants", "Tenants never in it", "tenant key"],
  ["includedUsers", "Users in the segment", "user key"],
  ["excludedUsers", "Users never in it", "user key"],
] as const;

/** A reusable audience: explicit tenant and user keys, and/or rules (any rule whose conditions all hold). */
export function SegmentForm({ id, defaultValues, isEdit, disabled, onSubmit }: { id: string; defaultValues: SegmentValues; isEdit: boolean; disabled?: boolean; onSubmit(values: SegmentValues): Promise<unknown> }) {
  const form = useForm<SegmentValues>({ resolver: zodResolver(CreateSegmentBody) as never, defaultValues });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (error) {
      applyApiErrors(error, form.setError, ["key", "name", "description", "includedUsers", "excludedUsers", "includedTenants", "excludedTenants", "rules"]);
    }
  });
  return (
    <form id={id} onSubmit={submit} noValidate className="space-y-5">
      <fieldset disabled={disabled} className="grid grid-cols-2 gap-4">
        <Field label="Name" error={errors.name?.message}>
          {(props) => <Input autoFocus {...props} {...form.register("name")} />}
        </Field>
        <Field label="Key" hint={isEdit ? "Rules name the segment by its key; it cannot change." : "Rules use it: in_segment beta-producers"} error={errors.key?.message}>
          {(props) => <Input className="font-mono" disabled={isEdit} {...props} {...form.register("key")} />}
        </Field>
        <Field label="Description" error={errors.description?.message} className="col-span-2">
          {(props) => <Textarea rows={2} {...props} {...form.register("description")} />}
        </Field>
      </fieldset>
      <div className="grid grid-cols-2 gap-4">
        {LISTS.map(([name, label, placeholder]) => (
          <Controller
            key={name}
            control={form.control}
            name={name}
            render={({ field }) => (
              <div className="space-y-1.5">
                <span className="block text-sm font-medium text-slate-700">{label}</span>
                <ValuesInput label={label} placeholder={`Type a ${placeholder}, press Enter`} values={field.value} onChange={(v) => field.onChange(v.map(String))} />
                {errors[name] && <p className="text-xs text-red-600">{errors[name]?.message ?? "Check the keys"}</p>}
              </div>
            )}
          />
        ))}
      </div>
      <Controller
        control={form.control}
        name="rules"
        render={({ field }) => {
          const rules = field.value;
          const setConditions = (i: number, conditions: Condition[]) => field.onChange(rules.map((r, j) => (j === i ? { conditions } : r)));
          return (
            <div className="space-y-2">
              <span className="block text-sm font-medium text-slate-700">Rules</span>
              <p className="text-xs text-slate-500">Also in the segment: anyone for whom any rule's conditions all hold.</p>
              {rules.map((rule, i) => (
                <div key={i} className="rounded-md border border-slate-200 p-3">
                  <div className="mb-2 flex items-center justify-between">
                    <span className="text-xs font-semibold text-slate-500 uppercase">{i === 0 ? "Rule 1" : `or rule ${i + 1}`}</span>
                    <Button size="icon" variant="ghost" aria-label={`Delete segment rule ${i + 1}`} onClick={() => field.onChange(rules.filter((_, j) => j !== i))}><Trash2 className="h-4 w-4" aria-hidden="true" /></Button>
                  </div>
                  <div className="space-y-2">
                    {rule.conditions.map((c, k) => (
                      <ConditionRow
                        key={k}
                        condition={c}
                        label={`Segment rule ${i + 1}, condition ${k + 1}`}
                        onChange={(next) => setConditions(i, rule.conditions.map((x, m) => (m === k ? next : x)))}
                        onRemove={() => setConditions(i, rule.conditions.filter((_, m) => m !== k))}
                      />
                    ))}
                    <Button size="sm" variant="ghost" onClick={() => setConditions(i, [...rule.conditions, newCondition()])}><Plus className="h-3.5 w-3.5" aria-hidden="true" />Add condition</Button>
                  </div>
                </div>
              ))}
              <Button size="sm" onClick={() => field.onChange([...rules, { conditions: [newCondition()] }])}><Plus className="h-3.5 w-3.5" aria-hidden="true" />Add rule</Button>
              {errors.rules && <p role="alert" className="text-xs text-red-600">{errors.rules.message ?? "Some conditions are not complete."}</p>}
            </div>
          );
        }}
      />
      {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
    </form>
  );
}
