import { TenantAuditPage } from "../../features/tenant-admin/components/tenant-audit-page";
import { TenantFeaturesPage } from "../../features/tenant-admin/components/tenant-features-page";
import { RolesPage } from "../../features/roles/components/roles-page";
import { RequireCapability } from "./guard";

export const TenantFeaturesRoute = () => <RequireCapability capability="tenant:manage"><TenantFeaturesPage /></RequireCapability>;
export const TenantAuditRoute = () => <RequireCapability capability="tenant:manage"><TenantAuditPage /></RequireCapability>;
export const TenantRolesRoute = () => <RequireCapability capability="tenant:manage"><RolesPage isOwnTenant /></RequireCapability>;
