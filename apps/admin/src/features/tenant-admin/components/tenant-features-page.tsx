import type { TenantFeature, TenantFeatureModule } from "@ensign/contracts/tenant-admin";
import { AlertTriangle, Boxes, CheckCircle2, FlaskConical, Lock, OctagonX, Search, XCircle } from "lucide-react";
import { useMemo, useState } from "react";
import { Badge } from "../../../components/ui/badge";
import { ConfirmDialog } from "../../../components/ui/confirm-dialog";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input, Select } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { PageSkeleton } from "../../../components/ui/skeleton";
import { Switch } from "../../../components/ui/switch";
import { toast } from "../../../components/ui/toaster";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { cn } from "../../../lib/cn";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useTenantFeatures } from "../api/get-tenant-features";
import { useToggleTenantFeature, type ToggleInput } from "../api/toggle-tenant-feature";
import { useToggleTenantModule } from "../api/toggle-tenant-module";

/** A tenant admin's features, grouped by module, each with what stops it from being switched. */
export function TenantFeaturesPage() {
  const { ws } = useWorkspaceScope();
  const features = useTenantFeatures(ws);
  const toggle = useToggleTenantFeature(ws);
  const toggleModule = useToggleTenantModule(ws);
  const [search, setSearch] = useState("");
  const [module, setModule] = useState("");
  const [confirming, setConfirming] = useState<TenantFeature | null>(null);
  const [confirmingModule, setConfirmingModule] = useState<TenantFeatureModule | null>(null);
  const [refusals, setRefusals] = useState<Record<string, string>>({});

  const modules = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (features.data?.modules ?? [])
      .filter((m) => !module || (m.key ?? "none") === module)
      .map((m) => ({ ...m, features: m.features.filter((f) => !needle || `${f.name} ${f.key} ${f.description}`.toLowerCase().includes(needle)) }))
      .filter((m) => m.features.length > 0);
  }, [features.data, search, module]);

  const switchModule = (m: TenantFeatureModule, enabled: boolean) =>
    toggleModule.mutate(
      { module: m.key!, enabled },
      {
        onSuccess: () => toast.success(`${m.name} ${enabled ? "switched on" : "switched off"} for your organisation`),
        onSettled: () => setConfirmingModule(null),
      },
    );

  const send = (input: ToggleInput, name: string) => {
    setRefusals(({ [input.key]: _, ...rest }) => rest);
    toggle.mutate(input, {
      onSuccess: () => {
        setConfirming(null);
        toast.success(`${name} is now ${input.enabled ? "on" : "off"} for your users`);
      },
      onError: (error) => {
        setConfirming(null);
        const message = errorMessage(error);
        setRefusals((r) => ({ ...r, [input.key]: message }));
        toast.error(error instanceof ApiError && (error.status === 403 || error.status === 409) ? `Not changed: ${message}` : message);
      },
    });
  };

  if (features.isPending) return <PageSkeleton />;
  if (features.isError) return <ErrorPanel error={features.error} onRetry={() => void features.refetch()} title="Your features could not be loaded" />;
  const { tenant } = features.data;
  // The workspace's master switch: every feature serves off, whatever is switched here.
  const isPaused = features.data.modules.some((m) => m.features.some((f) => f.detail === "MASTER_SWITCH"));

  return (
    <>
      <PageHeader
        title="Features"
        eyebrow={tenant.name}
        description="Switch features on or off for everyone in your organisation. Changes apply immediately. Some features are managed by your provider or need another feature first."
      />
      {isPaused && (
        <div role="alert" className="mb-5 flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
          <OctagonX className="mt-0.5 h-5 w-5 shrink-0 text-red-600" aria-hidden="true" />
          <p>
            <strong className="font-semibold">Every feature is paused by your provider right now.</strong> They turned on the emergency switch for{" "}
            {features.data.environment}. What you switch here is saved, and takes effect once they lift it.
          </p>
        </div>
      )}
      <div className="mb-5 flex flex-wrap items-center gap-3">
        <div className="relative w-72">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 h-4 w-4 -translate-y-1/2 text-slate-400" aria-hidden="true" />
          <Input type="search" aria-label="Search features" placeholder="Search features" value={search} onChange={(e) => setSearch(e.target.value)} className="pl-8" />
        </div>
        <Select aria-label="Module" value={module} onChange={(e) => setModule(e.target.value)} className="w-56">
          <option value="">All modules</option>
          {features.data.modules.map((m) => (
            <option key={m.key ?? "none"} value={m.key ?? "none"}>
              {m.name}
            </option>
          ))}
        </Select>
      </div>
      {modules.length === 0 ? (
        <EmptyState icon={Boxes} title="No features match">
          Try another search or module.
        </EmptyState>
      ) : (
        <div className="space-y-6">
          {modules.map((m) => (
            <ModuleSection
              key={m.key ?? "none"}
              module={m}
              refusals={refusals}
              pendingKey={toggle.isPending ? toggle.variables?.key : undefined}
              isModulePending={toggleModule.isPending && toggleModule.variables?.module === m.key}
              onToggleModule={(enabled) => {
                // Ask before switching off, naming every feature the module takes with it (not just the ones the search shows).
                if (!enabled) setConfirmingModule(features.data.modules.find((all) => all.key === m.key) ?? m);
                else switchModule(m, true);
              }}
              onToggle={(feature, enabled) => {
                if (!enabled) setConfirming(feature);
                else send({ key: feature.key, enabled: true, version: feature.version }, feature.name);
              }}
            />
          ))}
        </div>
      )}
      <ConfirmDialog
        open={confirming !== null}
        onOpenChange={(open) => !open && setConfirming(null)}
        title={`Turn off ${confirming?.name ?? ""}?`}
        confirmLabel={confirming?.dependants.length ? `Turn off ${confirming.dependants.length + 1} features` : "Turn off"}
        tone="danger"
        isPending={toggle.isPending}
        onConfirm={() => confirming && send({ key: confirming.key, enabled: false, force: confirming.dependants.length > 0 || undefined, version: confirming.version }, confirming.name)}
      >
        <p>Everyone in {tenant.name} loses access to {confirming?.name} immediately. You can turn it back on at any time.</p>
        {confirming && confirming.dependants.length > 0 && (
          <p className="flex gap-2 rounded-md bg-amber-50 px-3 py-2 text-amber-800">
            <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
            <span>
              These features need it and will stop working too: <strong>{confirming.dependants.map((key) => nameOf(features.data.modules, key)).join(", ")}</strong>.
            </span>
          </p>
        )}
      </ConfirmDialog>
      <ModuleOffDialog module={confirmingModule} tenantName={tenant.name} isPending={toggleModule.isPending} onCancel={() => setConfirmingModule(null)} onConfirm={(m) => switchModule(m, false)} />
    </>
  );
}

/** Asks before a tenant admin switches a whole module off, listing the features that go off with it. */
function ModuleOffDialog({
  module,
  tenantName,
  isPending,
  onCancel,
  onConfirm,
}: {
  module: TenantFeatureModule | null;
  tenantName: string;
  isPending: boolean;
  onCancel(): void;
  onConfirm(module: TenantFeatureModule): void;
}) {
  const goingOff = module?.features.filter((f) => f.enabled) ?? [];
  return (
    <ConfirmDialog
      open={module !== null}
      onOpenChange={(open) => !open && onCancel()}
      title={`Switch off the ${module?.name ?? ""} module?`}
      confirmLabel={goingOff.length ? `Switch off ${goingOff.length === 1 ? "1 feature" : `${goingOff.length} features`}` : "Switch off module"}
      tone="danger"
      isPending={isPending}
      onConfirm={() => module && onConfirm(module)}
    >
      {goingOff.length > 0 ? (
        <>
          <p>Everyone in {tenantName} loses these features immediately:</p>
          <ul aria-label="Features that go off" className="list-disc space-y-0.5 pl-5 font-medium text-slate-800">
            {goingOff.map((f) => (
              <li key={f.key}>{f.name}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>None of its features are on for {tenantName} right now.</p>
      )}
      <p>Its features stay off, and cannot be turned on, until you switch the module on again. What you set for each feature is kept.</p>
    </ConfirmDialog>
  );
}

function nameOf(modules: TenantFeatureModule[], key: string): string {
  for (const m of modules) for (const f of m.features) if (f.key === key) return f.name;
  return key;
}

function ModuleSection({
  module,
  refusals,
  pendingKey,
  isModulePending,
  onToggle,
  onToggleModule,
}: {
  module: TenantFeatureModule;
  refusals: Record<string, string>;
  pendingKey?: string;
  isModulePending: boolean;
  onToggle(feature: TenantFeature, enabled: boolean): void;
  onToggleModule(enabled: boolean): void;
}) {
  const headingId = `module-${module.key ?? "none"}`;
  return (
    <section aria-labelledby={headingId} className={cn("rounded-lg border bg-white shadow-xs", module.enabled ? "border-slate-200" : "border-slate-200 bg-slate-50")}>
      <header className="flex items-center justify-between gap-4 border-b border-slate-100 px-5 py-3">
        <h2 id={headingId} className="flex items-center gap-2 text-sm font-semibold text-slate-900">
          {module.name}
          {module.key && <span className="font-mono text-xs font-normal text-slate-400">{module.key}</span>}
        </h2>
        {module.key && module.tenantManageable ? (
          <div className="flex items-center gap-2">
            <span className={cn("text-xs font-medium", module.enabled ? "text-emerald-700" : "text-slate-500")}>{module.enabled ? "Module on" : "Module off"}</span>
            <Switch checked={module.enabled} label={`${module.name} module: ${module.enabled ? "on" : "off"}`} disabled={isModulePending} onCheckedChange={onToggleModule} />
          </div>
        ) : (
          !module.enabled && <Badge tone="neutral">Module not included</Badge>
        )}
      </header>
      {!module.enabled && module.tenantManageable && (
        <p className="border-b border-slate-100 bg-slate-50 px-5 py-2.5 text-sm text-slate-600">
          The {module.name} module is switched off for your organisation: its features are off until you switch it on again.
        </p>
      )}
      {!module.enabled && !module.tenantManageable && (
        <p className="border-b border-slate-100 bg-slate-50 px-5 py-2.5 text-sm text-slate-600">
          The {module.name} module is switched off for your organisation, so none of its features can be turned on. Contact your provider to include it.
        </p>
      )}
      <ul className="divide-y divide-slate-100">
        {module.features.map((feature) => (
          <FeatureRow key={feature.key} feature={feature} refusal={refusals[feature.key]} isPending={pendingKey === feature.key} onToggle={(enabled) => onToggle(feature, enabled)} />
        ))}
      </ul>
    </section>
  );
}

function FeatureRow({ feature, refusal, isPending, onToggle }: { feature: TenantFeature; refusal?: string; isPending: boolean; onToggle(enabled: boolean): void }) {
  const descriptionId = `feature-${feature.key}-description`;
  return (
    <li className="flex items-start gap-4 px-5 py-4" aria-describedby={descriptionId} data-testid={`feature-${feature.key}`}>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <h3 className="text-sm font-medium text-slate-900">{feature.name}</h3>
          {feature.isBeta && (
            <Badge tone="violet">
              <FlaskConical className="h-3 w-3" aria-hidden="true" />
              Beta
            </Badge>
          )}
          {feature.isBeta && feature.feedbackUrl && (
            <a href={feature.feedbackUrl} target="_blank" rel="noopener noreferrer" className="text-xs font-medium text-violet-700 underline hover:text-violet-900">
              Give feedback
            </a>
          )}
          {!feature.tenantManageable && (
            <Badge tone="neutral" title="Your provider manages this feature; you can see it but not change it">
              <Lock className="h-3 w-3" aria-hidden="true" />
              Managed by your provider
            </Badge>
          )}
          {feature.locked && (
            <Badge tone="amber" title="Your provider has set this feature; you cannot change it">
              <Lock className="h-3 w-3" aria-hidden="true" />
              Locked by your provider
            </Badge>
          )}
          {feature.deprecated && <Badge tone="neutral">Being retired</Badge>}
        </div>
        <p id={descriptionId} className="mt-0.5 text-sm text-slate-500">
          {feature.description || "No description."}
        </p>
        {feature.dependencies.length > 0 && (
          <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label={`${feature.name} needs`}>
            {feature.dependencies.map((d) => (
              <li key={d.key} className={cn("inline-flex items-center gap-1", d.isMet ? "text-slate-500" : "font-medium text-amber-700")}>
                {d.isMet ? <CheckCircle2 className="h-3.5 w-3.5 text-emerald-600" aria-hidden="true" /> : <XCircle className="h-3.5 w-3.5" aria-hidden="true" />}
                Needs {d.name}
                {!d.isMet && " (off)"}
              </li>
            ))}
          </ul>
        )}
        {!feature.canToggle && feature.blockedReason && feature.moduleEnabled && (
          <p className="mt-2 flex items-center gap-1.5 text-xs text-slate-600">
            <AlertTriangle className="h-3.5 w-3.5 text-amber-500" aria-hidden="true" />
            {feature.blockedReason}
          </p>
        )}
        {refusal && (
          <p role="alert" className="mt-2 rounded-md bg-red-50 px-2.5 py-1.5 text-xs text-red-700">
            {refusal}
          </p>
        )}
      </div>
      <div className="flex shrink-0 items-center gap-2 pt-0.5">
        <span className={cn("text-xs font-medium", feature.enabled ? "text-emerald-700" : "text-slate-500")}>{feature.enabled ? "On" : "Off"}</span>
        <Switch checked={feature.enabled} label={`${feature.name}: ${feature.enabled ? "on" : "off"}`} disabled={isPending || !feature.canToggle} onCheckedChange={onToggle} help={feature.description || undefined} />
      </div>
    </li>
  );
}
