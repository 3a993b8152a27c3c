import { can } from "@ensign/contracts/auth";
import {
  BulkOverridesBody,
  BulkOverridesResponse,
  EnvironmentUserOverrideList,
  ListEnvironmentUserOverridesQuery,
  FlagEnvironmentParams,
  ListTenantOverridesQuery,
  ListUserOverridesQuery,
  SetTenantOverrideBody,
  SetUserOverrideBody,
  TenantOverrideListResponse,
  TenantOverrideParams,
  TenantOverrideResponse,
  UserOverrideListResponse,
  UserOverrideParams,
  UserOverrideResponse,
} from "@ensign/contracts/overrides";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { optionalIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["overrides"];
const EnvironmentParams = z.object({ workspace: z.string(), env: FlagEnvironmentParams.shape.env });
const tenantOverride = "/:workspace/flags/:key/environments/:env/tenant-overrides";
const userOverride = "/:workspace/flags/:key/environments/:env/user-overrides";

const powersOf = (request: FastifyRequest) => ({ canLock: can(scopeOf(request).role, "overrides:lock") });

export async function overridesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tenantOverrides, userOverrides, bulkOverrides } = app.services;

  r.get(
    tenantOverride,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A flag's tenant overrides in an environment", description: "`search` matches the tenant's key or name.", security, params: FlagEnvironmentParams, querystring: ListTenantOverridesQuery, response: { 200: TenantOverrideListResponse } },
    },
    async (request) => tenantOverrides.list(scopeOf(request).workspaceId, request.params.key, request.params.env, request.query),
  );

  r.get(
    `${tenantOverride}/:tenant`,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "One tenant's override of a flag in an environment", security, params: TenantOverrideParams, response: { 200: TenantOverrideResponse } },
    },
    async (request, reply) => withVersion(reply, await tenantOverrides.get(scopeOf(request).workspaceId, refOf(request.params))),
  );

  r.put(
    `${tenantOverride}/:tenant`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        summary: "Set a tenant's override of a flag in an environment",
        description:
          'Source `workspace_admin`. Replacing an existing override needs `If-Match: "<version>"`. Locking, or changing a locked override, needs `overrides:lock`. ' +
          "The variant must be one of the flag's; `expiresAt` must be in the future.",
        security,
        params: TenantOverrideParams,
        body: SetTenantOverrideBody,
        response: { 200: TenantOverrideResponse, 201: TenantOverrideResponse },
      },
    },
    async (request, reply) => {
      const { override, isCreated } = await tenantOverrides.set(
        scopeOf(request).workspaceId,
        refOf(request.params),
        request.body,
        optionalIfMatch(request),
        powersOf(request),
        actorOf(request),
      );
      return reply.code(isCreated ? 201 : 200).send(withVersion(reply, override));
    },
  );

  for (const [action, locked] of [["lock", true], ["unlock", false]] as const) {
    r.post(
      `${tenantOverride}/:tenant/${action}`,
      {
        onRequest: [app.requireCapability("overrides:lock")],
        schema: {
          tags,
          summary: locked ? "Lock a tenant's override: its tenant admins cannot change it" : "Unlock a tenant's override",
          description: "`If-Match` is optional.",
          security,
          params: TenantOverrideParams,
          response: { 200: TenantOverrideResponse },
        },
      },
      async (request, reply) =>
        withVersion(reply, await tenantOverrides.setLocked(scopeOf(request).workspaceId, refOf(request.params), locked, optionalIfMatch(request), actorOf(request))),
    );
  }

  r.delete(
    `${tenantOverride}/:tenant`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: { tags, summary: "Clear a tenant's override", description: "Clearing a locked override needs `overrides:lock`. `If-Match` is optional.", security, params: TenantOverrideParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await tenantOverrides.clear(scopeOf(request).workspaceId, refOf(request.params), optionalIfMatch(request), powersOf(request), actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/:workspace/environments/:env/tenant-overrides/bulk",
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        operationId: "bulkUpdateTenantOverrides",
        summary: "One override action for many tenants",
        description:
          "`set` (without `variant`: the flag's on variant, i.e. enable), `lock`, `unlock`, `clear`, or `disable_all` (every live flag to its off variant) for up to 1,000 tenants, " +
          "in one transaction with one audit entry per changed override. `preview: true` answers the same changes and writes nothing.",
        security,
        params: EnvironmentParams,
        body: BulkOverridesBody,
        response: { 200: BulkOverridesResponse },
      },
    },
    async (request) => bulkOverrides.run(scopeOf(request).workspaceId, request.params.env, request.body, powersOf(request), actorOf(request)),
  );

  r.get(
    userOverride,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A flag's user overrides in an environment", security, params: FlagEnvironmentParams, querystring: ListUserOverridesQuery, response: { 200: UserOverrideListResponse } },
    },
    async (request) => userOverrides.list(scopeOf(request).workspaceId, request.params.key, request.params.env, request.query),
  );

  r.get(
    "/:workspace/environments/:env/user-overrides",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        operationId: "listEnvironmentUserOverrides",
        summary: "Every flag's user overrides in an environment",
        description: "Paginated by user key, then flag key; archived flags' overrides are left out. `q` matches part of the user key; `flag` keeps one flag's; `expired=false` hides expired ones.",
        security,
        params: EnvironmentParams,
        querystring: ListEnvironmentUserOverridesQuery,
        response: { 200: EnvironmentUserOverrideList },
      },
    },
    async (request) => userOverrides.listInEnvironment(scopeOf(request).workspaceId, request.params.env, request.query),
  );

  r.get(
    `${userOverride}/:userKey`,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "One user's override of a flag", security, params: UserOverrideParams, response: { 200: UserOverrideResponse } },
    },
    async (request, reply) => withVersion(reply, await userOverrides.get(scopeOf(request).workspaceId, userRefOf(request.params))),
  );

  r.put(
    `${userOverride}/:userKey`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        summary: "Set a user's override of a flag, optionally expiring",
        description: 'Replacing an existing override needs `If-Match: "<version>"`.',
        security,
        params: UserOverrideParams,
        body: SetUserOverrideBody,
        response: { 200: UserOverrideResponse, 201: UserOverrideResponse },
      },
    },
    async (request, reply) => {
      const { override, isCreated } = await userOverrides.set(scopeOf(request).workspaceId, userRefOf(request.params), request.body, optionalIfMatch(request), actorOf(request));
      return reply.code(isCreated ? 201 : 200).send(withVersion(reply, override));
    },
  );

  r.delete(
    `${userOverride}/:userKey`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: { tags, summary: "Clear a user's override", description: "`If-Match` is optional.", security, params: UserOverrideParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await userOverrides.clear(scopeOf(request).workspaceId, userRefOf(request.params), optionalIfMatch(request), actorOf(request));
      return reply.code(204).send(null);
    },
  );
}

const refOf = (params: { key: string; env: string; tenant: string }) => ({ flag: params.key, env: params.env, tenant: params.tenant });
const userRefOf = (params: { key: string; env: string; userKey: string }) => ({ flag: params.key, env: params.env, userKey: params.userKey });
