import type { RouteObject } from "react-router";
import { NotFoundPage } from "./not-found";

/** Each page loads with its own chunk. */
export const workspaceRoutes: RouteObject[] = [
  { index: true, lazy: () => import("./guard").then((m) => ({ Component: m.WorkspaceIndex })) },
  { path: "overview", lazy: () => import("./overview-routes").then((m) => ({ Component: m.OverviewRoute })) },
  { path: "user-overrides", lazy: () => import("./user-override-routes").then((m) => ({ Component: m.UserOverridesRoute })) },
  { path: "flags", lazy: () => import("./flag-routes").then((m) => ({ Component: m.FlagsRoute })) },
  { path: "flags/:key", lazy: () => import("./flag-routes").then((m) => ({ Component: m.FlagRoute })) },
  { path: "tenants", lazy: () => import("./tenant-routes").then((m) => ({ Component: m.TenantsRoute })) },
  { path: "tenants/:tenant", lazy: () => import("./tenant-routes").then((m) => ({ Component: m.TenantRoute })) },
  { path: "identities", lazy: () => import("./settings-routes").then((m) => ({ Component: m.IdentitiesRoute })) },
  { path: "segments", lazy: () => import("./settings-routes").then((m) => ({ Component: m.SegmentsRoute })) },
  { path: "roles", lazy: () => import("./settings-routes").then((m) => ({ Component: m.RolesRoute })) },
  { path: "modules", lazy: () => import("./settings-routes").then((m) => ({ Component: m.ModulesRoute })) },
  { path: "override-layers", lazy: () => import("./settings-routes").then((m) => ({ Component: m.LayersRoute })) },
  { path: "evaluate", lazy: () => import("./evaluate-route").then((m) => ({ Component: m.EvaluateRoute })) },
  { path: "audit", lazy: () => import("./settings-routes").then((m) => ({ Component: m.AuditRoute })) },
  { path: "environments", lazy: () => import("./settings-routes").then((m) => ({ Component: m.EnvironmentsRoute })) },
  { path: "members", lazy: () => import("./settings-routes").then((m) => ({ Component: m.MembersRoute })) },
  { path: "api-keys", lazy: () => import("./settings-routes").then((m) => ({ Component: m.ApiKeysRoute })) },
  { path: "service-tokens", lazy: () => import("./settings-routes").then((m) => ({ Component: m.ServiceTokensRoute })) },
  { path: "webhooks", lazy: () => import("./settings-routes").then((m) => ({ Component: m.WebhooksRoute })) },
  { path: "webhooks/:id", lazy: () => import("./settings-routes").then((m) => ({ Component: m.WebhookDeliveriesRoute })) },
  { path: "account/tokens", lazy: () => import("./settings-routes").then((m) => ({ Component: m.PersonalTokensRoute })) },
  { path: "tenant/features", lazy: () => import("./tenant-admin-routes").then((m) => ({ Component: m.TenantFeaturesRoute })) },
  { path: "tenant/roles", lazy: () => import("./tenant-admin-routes").then((m) => ({ Component: m.TenantRolesRoute })) },
  { path: "tenant/audit", lazy: () => import("./tenant-admin-routes").then((m) => ({ Component: m.TenantAuditRoute })) },
  { path: "*", element: <NotFoundPage /> },
];
