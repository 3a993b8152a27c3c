import { useFlagDefinitions } from "../../features/flags/api/get-flag-definitions";
import { TenantPage } from "../../features/tenants/components/tenant-page";
import { TenantsPage } from "../../features/tenants/components/tenants-page";
import { useWorkspaceScope } from "../../lib/workspace-scope";
import { RequireCapability } from "./guard";

export function TenantsRoute() {
  const { ws } = useWorkspaceScope();
  const flags = useFlagDefinitions(ws);
  const options = (flags.data ?? []).filter((f) => !f.archivedAt).map((f) => ({ key: f.key, name: f.name, onVariant: f.onVariant, offVariant: f.offVariant }));
  return (
    <RequireCapability capability="workspace:read">
      <TenantsPage flags={options} />
    </RequireCapability>
  );
}

export function TenantRoute() {
  return (
    <RequireCapability capability="workspace:read">
      <TenantPage />
    </RequireCapability>
  );
}
