import type { FlagResponse } from "@ensign/contracts/flags";
import type { Variant } from "@ensign/contracts/targeting";
import { useState } from "react";
import { variantsIssue, VariantsEditor } from "../../../components/targeting/variants-editor";
import { ValuesInput } from "../../../components/targeting/values-input";
import { Button } from "../../../components/ui/button";
import { Card } from "../../../components/ui/card";
import { Checkbox, Field, Input, Select, Textarea } from "../../../components/ui/input";
import { toast } from "../../../components/ui/toaster";
import { errorMessage } from "../../../lib/api-client";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useFlagDefinitions } from "../api/get-flag-definitions";
import { useUpdateFlag } from "../api/update-flag";
import { PrerequisitesPicker } from "./prerequisites-picker";

/** The definition, shared by every environment: name, variants, prerequisites, tags. */
export function FlagSettings({ flag }: { flag: FlagResponse }) {
  const { ws, can } = useWorkspaceScope();
  const canWrite = can("definitions:write") && !flag.archivedAt;
  const update = useUpdateFlag(ws, flag.key, { silent: true });
  const definitions = useFlagDefinitions(ws);
  const [form, setForm] = useState(() => ({ name: flag.name, description: flag.description, module: flag.module ?? "", owner: flag.owner ?? "", tags: flag.tags, isBeta: flag.isBeta, tenantManageable: flag.tenantManageable, trackAnalytics: flag.trackAnalytics, feedbackUrl: flag.feedbackUrl ?? "", lifecycle: flag.lifecycle, variants: flag.variants as Variant[], offVariant: flag.offVariant, onVariant: flag.onVariant, dependsOn: flag.dependsOn }));
  const [error, setError] = useState<string>();
  const issue = variantsIssue(form.variants, flag.type);
  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) => setForm((f) => ({ ...f, [key]: value }));
  const onSave = () => {
    setError(undefined);
    update.mutate(
      {
        version: flag.version,
        body: { name: form.name, description: form.description, module: form.module || null, owner: form.owner || null, tags: form.tags, isBeta: form.isBeta, tenantManageable: form.tenantManageable, trackAnalytics: form.trackAnalytics, feedbackUrl: form.feedbackUrl.trim() || null, lifecycle: form.lifecycle, variants: form.variants, offVariant: form.offVariant, onVariant: form.onVariant, dependsOn: form.dependsOn },
      },
      { onSuccess: () => toast.success("Flag definition saved"), onError: (e) => setError(errorMessage(e)) },
    );
  };
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card title="Definition" description="Shared by every environment.">
        <fieldset disabled={!canWrite} className="space-y-4">
          <Field label="Name">{(props) => <Input {...props} value={form.name} onChange={(e) => set("name", e.target.value)} />}</Field>
          <Field label="Description">{(props) => <Textarea rows={3} {...props} value={form.description} onChange={(e) => set("description", e.target.value)} />}</Field>
          <div className="grid grid-cols-2 gap-4">
            <Field label="Module">{(props) => <Input className="font-mono text-xs" {...props} value={form.module} onChange={(e) => set("module", e.target.value)} />}</Field>
            <Field label="Owner">{(props) => <Input {...props} value={form.owner} onChange={(e) => set("owner", e.target.value)} />}</Field>
          </div>
          <div className="space-y-1.5">
            <span className="block text-sm font-medium text-slate-700">Tags</span>
            <ValuesInput label="Tags" values={form.tags} onChange={(v) => set("tags", v.map(String))} />
          </div>
          <Checkbox
            label="Tenant admins may switch it for their own tenant"
            checked={form.tenantManageable}
            onChange={(e) => set("tenantManageable", e.target.checked)}
          />
          <Checkbox
            label="Track analytics: count its evaluations in the statistics"
            checked={form.trackAnalytics}
            onChange={(e) => set("trackAnalytics", e.target.checked)}
          />
          {form.isBeta && (
            <Field label="Beta feedback link" hint="Shown to tenant admins beside the beta badge.">
              {(props) => <Input type="url" placeholder="https://" {...props} value={form.feedbackUrl} onChange={(e) => set("feedbackUrl", e.target.value)} />}
            </Field>
          )}
          <div className="flex gap-6">
            <Checkbox label="Beta" checked={form.isBeta} onChange={(e) => set("isBeta", e.target.checked)} />
            <Select aria-label="Lifecycle" value={form.lifecycle} onChange={(e) => set("lifecycle", e.target.value as typeof form.lifecycle)} className="w-48">
              <option value="temporary">Temporary</option>
              <option value="permanent">Permanent</option>
            </Select>
          </div>
        </fieldset>
      </Card>
      <div className="space-y-6">
        <Card title="Variants" description={flag.type === "boolean" ? "Boolean flags serve on (true) or off (false)." : "Named values of the flag's type."}>
          <VariantsEditor type={flag.type} value={form.variants} onChange={(v) => set("variants", v)} disabled={!canWrite} />
          {flag.type !== "boolean" && (
            <div className="mt-4 grid grid-cols-2 gap-3">
              <Field label="Served when off">{(props) => <Select {...props} disabled={!canWrite} value={form.offVariant} onChange={(e) => set("offVariant", e.target.value)}>{form.variants.map((v) => <option key={v.key}>{v.key}</option>)}</Select>}</Field>
              <Field label="Served when switched on">{(props) => <Select {...props} disabled={!canWrite} value={form.onVariant} onChange={(e) => set("onVariant", e.target.value)}>{form.variants.map((v) => <option key={v.key}>{v.key}</option>)}</Select>}</Field>
            </div>
          )}
        </Card>
        <Card title="Prerequisites" description="This flag is off for anyone for whom one of these is not on.">
          <PrerequisitesPicker value={form.dependsOn} onChange={(v) => set("dependsOn", v)} options={definitions.data ?? []} selfKey={flag.key} disabled={!canWrite} />
        </Card>
      </div>
      {canWrite && (
        <div className="flex items-center justify-end gap-3 lg:col-span-2">
          {error && <p role="alert" className="flex-1 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
          <Button variant="primary" disabled={!!issue} isLoading={update.isPending} onClick={onSave}>Save definition</Button>
        </div>
      )}
    </div>
  );
}
