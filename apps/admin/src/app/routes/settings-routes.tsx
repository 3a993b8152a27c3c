import { PersonalTokensPage } from "../../features/access-tokens/components/personal-tokens-page";
import { ServiceTokensPage } from "../../features/access-tokens/components/service-tokens-page";
import { ApiKeysPage } from "../../features/api-keys/components/api-keys-page";
import { AuditPage } from "../../features/audit/components/audit-page";
import { EnvironmentsPage } from "../../features/environments/components/environments-page";
import { IdentitiesPage } from "../../features/identities/components/identities-page";
import { LayersPage } from "../../features/layers/components/layers-page";
import { MembersPage } from "../../features/members/components/members-page";
import { ModulesPage } from "../../features/modules/components/modules-page";
import { RolesPage } from "../../features/roles/components/roles-page";
import { SegmentsPage } from "../../features/segments/components/segments-page";
import { DeliveriesPage } from "../../features/webhooks/components/deliveries-page";
import { WebhooksPage } from "../../features/webhooks/components/webhooks-page";
import { RequireCapability } from "./guard";

export const IdentitiesRoute = () => <RequireCapability capability="workspace:read"><IdentitiesPage /></RequireCapability>;
export const RolesRoute = () => <RequireCapability capability="workspace:read"><RolesPage /></RequireCapability>;
export const SegmentsRoute = () => <RequireCapability capability="workspace:read"><SegmentsPage /></RequireCapability>;
export const LayersRoute = () => <RequireCapability capability="workspace:read"><LayersPage /></RequireCapability>;
export const ModulesRoute = () => <RequireCapability capability="workspace:read"><ModulesPage /></RequireCapability>;
export const AuditRoute = () => <RequireCapability capability="workspace:read"><AuditPage /></RequireCapability>;
export const EnvironmentsRoute = () => <RequireCapability capability="workspace:read"><EnvironmentsPage /></RequireCapability>;
export const MembersRoute = () => <RequireCapability capability="workspace:read"><MembersPage /></RequireCapability>;
export const ApiKeysRoute = () => <RequireCapability capability="keys:manage"><ApiKeysPage /></RequireCapability>;
export const ServiceTokensRoute = () => <RequireCapability capability="keys:manage"><ServiceTokensPage /></RequireCapability>;
export const WebhooksRoute = () => <RequireCapability capability="webhooks:manage"><WebhooksPage /></RequireCapability>;
export const WebhookDeliveriesRoute = () => <RequireCapability capability="webhooks:manage"><DeliveriesPage /></RequireCapability>;
/** The signed-in user's own tokens: any member may have them. */
export const PersonalTokensRoute = () => <PersonalTokensPage />;
