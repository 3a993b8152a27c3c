import { CAPABILITIES, type Capability } from "@ensign/contracts/auth";
import { Check, Minus } from "lucide-react";
import { Card } from "../../../components/ui/card";
import { PageHeader } from "../../../components/ui/page-header";
import { formatDateTime } from "../../../lib/format";
import { useWorkspaceScope } from "../../../lib/workspace-scope";

const CAPABILITY_LABELS: Record<Capability, string> = {
  "workspace:read": "See flags, tenants, segments, audit and stats",
  "definitions:write": "Create and edit flag definitions, modules, tenants and environments",
  "state:write": "Toggle flags, edit rules, rollouts and schedules",
  "overrides:write": "Set and clear tenant and user overrides",
  "overrides:lock": "Lock and unlock tenant overrides",
  "keys:manage": "Create and revoke API keys",
  "members:manage": "Invite members and change roles",
  "workspace:export": "Export the workspace",
  "tenant:manage": "Manage one tenant's own features",
};

export function OverviewPage() {
  const { workspace, environments, role, can } = useWorkspaceScope();
  return (
    <>
      <PageHeader title={workspace.name} description={`Workspace ${workspace.slug} · created ${formatDateTime(workspace.createdAt)}`} />
      <div className="grid items-start gap-6 lg:grid-cols-3">
        <Card title="Environments" description="Each keeps its own flag state." className="lg:col-span-2">
          <ul className="grid gap-3 sm:grid-cols-3">
            {environments.map((e) => (
              <li key={e.id} className="rounded-lg border border-slate-200 p-4">
                <span className="flex items-center gap-2 text-sm font-semibold text-slate-900">
                  <span className="h-2.5 w-2.5 rounded-full" style={{ background: e.color ?? "#64748b" }} aria-hidden="true" />
                  {e.name}
                </span>
                <span className="mt-1 block font-mono text-xs text-slate-500">{e.key}</span>
                <span className="mt-3 block text-xs text-slate-500">version {e.snapshotVersion}</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Your role" description={`You are ${role === "owner" || role === "admin" ? "an" : "a"} ${role.replace("_", " ")} here.`}>
          <ul className="space-y-2 text-sm">
            {(Object.keys(CAPABILITIES) as Capability[])
              .filter((c) => c !== "tenant:manage")
              .map((capability) => {
                const allowed = can(capability);
                return (
                  <li key={capability} className={allowed ? "flex gap-2 text-slate-700" : "flex gap-2 text-slate-400"}>
                    {allowed ? <Check className="mt-0.5 h-4 w-4 shrink-0 text-emerald-600" aria-label="allowed" /> : <Minus className="mt-0.5 h-4 w-4 shrink-0" aria-label="not allowed" />}
                    {CAPABILITY_LABELS[capability]}
                  </li>
                );
              })}
          </ul>
        </Card>
      </div>
    </>
  );
}
