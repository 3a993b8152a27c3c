import { FlagHistorySection } from "../../features/audit/components/flag-history-section";
import { ImpactSummary } from "../../features/evaluation/components/impact-summary";
import { FlagPage, type FlagSection } from "../../features/flags/components/flag-page";
import type { ImpactPreview } from "../../features/flags/components/production-confirm";
import { FlagsPage } from "../../features/flags/components/flags-page";
import { TenantOverridesSection } from "../../features/overrides/components/tenant-overrides-section";
import { UserOverridesSection } from "../../features/overrides/components/user-overrides-section";
import { useRoles } from "../../features/roles/api/get-roles";
import { useLayers } from "../../features/layers/api/layers";
import { LayerOverridesSection } from "../../features/layers/components/layer-overrides-section";
import { useSegments } from "../../features/segments/api/get-segments";
import { FlagStatsSection } from "../../features/stats/components/flag-stats-section";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { RequireCapability } from "./guard";

/** Who a pending toggle or targeting change affects, worked out by the API before it is made. */
const impact: ImpactPreview = ({ flagKey, flagName, state }) => <ImpactSummary flagKey={flagKey} flagName={flagName} state={state} />;

export function FlagsRoute() {
  return (
    <RequireCapability capability="workspace:read">
      <FlagsPage impact={impact} />
    </RequireCapability>
  );
}

/** The flag page, with the sections other features own. */
const SECTIONS: FlagSection[] = [
  { id: "tenant-overrides", label: "Tenant overrides", render: ({ flag }) => <TenantOverridesSection flag={flag} /> },
  { id: "user-overrides", label: "User overrides", render: ({ flag }) => <UserOverridesSection flag={flag} /> },
  { id: "stats", label: "Stats", render: ({ flag }) => <FlagStatsSection flagKey={flag.key} /> },
  { id: "history", label: "History", render: ({ flag }) => <FlagHistorySection flagKey={flag.key} /> },
];

export function FlagRoute() {
  const { ws } = useWorkspaceScope();
  const segments = useSegments(ws, { page: 1 });
  const roles = useRoles(ws, { kind: "workspace" });
  const layers = useLayers(ws);
  // A tab per override layer, after the tenant and user overrides.
  const layerSections: FlagSection[] = (layers.data?.items ?? []).map((layer) => ({
    id: `layer-${layer.key}`,
    label: `${layer.name} overrides`,
    render: ({ flag }) => <LayerOverridesSection flag={flag} layer={layer} layers={layers.data?.items ?? []} order={layers.data?.order ?? []} />,
  }));
  const sections = layerSections.length === 0 ? SECTIONS : [...SECTIONS.slice(0, 2), ...layerSections, ...SECTIONS.slice(2)];
  return (
    <RequireCapability capability="workspace:read">
      <FlagPage
        sections={sections}
        segments={segments.data?.items.map((s) => s.key)}
        roles={roles.data?.items.map((r) => r.key)}
        impact={impact}
      />
    </RequireCapability>
  );
}
