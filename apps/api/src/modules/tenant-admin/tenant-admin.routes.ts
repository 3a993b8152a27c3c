import {
  FeatureParams,
  TenantAuditQuery,
  TenantAuditResponse,
  TenantFeature,
  TenantFeaturesQuery,
  TenantFeaturesResponse,
  TenantModuleParams,
  TenantModuleResponse,
  TenantScopeQuery,
  ToggleFeatureBody,
  ToggleModuleBody,
} from "@ensign/contracts/tenant-admin";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { optionalIfMatch, withVersion } from "../../infra/versioning";
import { createTenantAdminGuard } from "./tenant-admin.guard";

const security = [{ bearerAuth: [] }];
const tags = ["tenant admin"];
const scopeNote = "Acts on the caller's own tenant. `workspace` (a slug) is required when they are a tenant admin in several workspaces; `env` defaults to `production`.";

/** `/v1/tenant/...`: a tenant admin manages their own tenant's features. */
export async function tenantAdminRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tenantFeatures, tenantAudit } = app.services;
  const requireTenantAdmin = createTenantAdminGuard(app);

  r.get(
    "/features",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags,
        operationId: "listTenantAdminFeatures",
        summary: "The tenant's features, grouped by module",
        description: `${scopeNote} \`module\` (a key, or \`none\`) and \`search\` (key, name, description) filter.`,
        security,
        querystring: TenantFeaturesQuery,
        response: { 200: TenantFeaturesResponse },
      },
    },
    async (request) => tenantFeatures.list(scopeOf(request), request.query),
  );

  r.get(
    "/features/:key",
    {
      onRequest: [requireTenantAdmin],
      schema: { tags, operationId: "getTenantAdminFeature", summary: "One of the tenant's features", description: scopeNote, security, params: FeatureParams, querystring: TenantScopeQuery, response: { 200: TenantFeature } },
    },
    async (request, reply) => withVersion(reply, await tenantFeatures.get(scopeOf(request), request.query.env, request.params.key)),
  );

  r.put(
    "/features/:key",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags,
        operationId: "setTenantAdminFeature",
        summary: "Switch a feature on or off for the tenant",
        description:
          `${scopeNote} Refused with 403 FEATURE_LOCKED (pinned by the workspace admins), 409 MODULE_DISABLED, 403 FEATURE_DISABLED ` +
          "(switched off for every tenant), 403 FEATURE_NOT_MANAGEABLE (a flag the workspace admins keep for themselves), 409 FLAG_DEPRECATED, 409 DEPENDENCY_NOT_MET (naming the prerequisites), and, when switching off a feature " +
          "that enabled features depend on, 409 HAS_DEPENDANTS (naming them) unless `force: true`. `If-Match` (the feature's `version`) is optional.",
        security,
        params: FeatureParams,
        querystring: TenantScopeQuery,
        body: ToggleFeatureBody,
        response: { 200: TenantFeature },
      },
    },
    async (request, reply) => {
      const feature = await tenantFeatures.toggle(scopeOf(request), request.query.env, request.params.key, request.body, optionalIfMatch(request), actorOf(request));
      return withVersion(reply, feature);
    },
  );

  r.put(
    "/modules/:module",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags,
        operationId: "setTenantAdminModule",
        summary: "Switch a module on or off for the tenant",
        description: `${scopeNote} Only modules the workspace lets tenant admins manage (\`tenantManageable\`); others answer 403 FEATURE_NOT_MANAGEABLE. Every environment follows the switch.`,
        security,
        params: TenantModuleParams,
        querystring: TenantScopeQuery,
        body: ToggleModuleBody,
        response: { 200: TenantModuleResponse },
      },
    },
    async (request) => tenantFeatures.toggleModule(scopeOf(request), request.params.module, request.body, actorOf(request)),
  );

  r.get(
    "/audit",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags,
        operationId: "listTenantAdminAudit",
        summary: "The tenant's audit trail: its features' overrides and module switches",
        description: `${scopeNote} Filters: \`flag\`, \`action\`, \`from\`, \`to\` (ISO times); newest first.`,
        security,
        querystring: TenantAuditQuery,
        response: { 200: TenantAuditResponse },
      },
    },
    async (request) => tenantAudit.list(scopeOf(request), request.query),
  );
}
