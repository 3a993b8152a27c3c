import {
  CreateTenantBody,
  ListTenantsQuery,
  SetTenantModuleBody,
  TenantDetailQuery,
  TenantDetailResponse,
  TenantListResponse,
  TenantModuleParams,
  TenantParams,
  TenantResponse,
  UpdateTenantBody,
} from "@ensign/contracts/tenants";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { schemaSerializer } from "../../infra/schema-serializer";
import { optionalIfMatch, requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["tenants"];

export async function tenantsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tenants, tenantsQuery } = app.services;

  r.get(
    "/:workspace/tenants",
    {
      onRequest: [app.requireCapability("workspace:read")],
      // With every flag's value a page holds 10,000 of them: too many for the zod serializer.
      serializerCompiler: schemaSerializer,
      schema: {
        tags,
        summary: "List tenants",
        description:
          "Paginated, sorted, searchable (`search` in key or name). Filters: `attr.<name>=<value>[,<value>]`, `module=<key>&moduleState=on|off`, " +
          "`flag=<key>&env=<env>&flagState=on|off` (the flag's effective value for the tenant's context). `flags=k1,k2&env=<env>` or " +
          "`include=flags&env=<env>` add effective values to each row; with `include=flags` a page holds 10 rows unless `pageSize` says otherwise.",
        security,
        params: WorkspaceParams,
        querystring: ListTenantsQuery,
        response: { 200: TenantListResponse },
      },
    },
    async (request) => tenantsQuery.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "/:workspace/tenants",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Create a tenant", security, params: WorkspaceParams, body: CreateTenantBody, response: { 201: TenantResponse } },
    },
    async (request, reply) => {
      const created = await tenants.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace/tenants/:tenant",
    {
      onRequest: [app.requireCapability("workspace:read")],
      // A value for every flag of the workspace: 1,000 of them at the size the admin must stay fast at.
      serializerCompiler: schemaSerializer,
      schema: {
        tags,
        summary: "A tenant: modules, attributes and every flag's effective value with its reason in an environment",
        description: "`env` defaults to `production` (or the workspace's first environment).",
        security,
        params: TenantParams,
        querystring: TenantDetailQuery,
        response: { 200: TenantDetailResponse },
      },
    },
    async (request, reply) => withVersion(reply, await tenantsQuery.detail(scopeOf(request).workspaceId, request.params.tenant, request.query.env)),
  );

  r.patch(
    "/:workspace/tenants/:tenant",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Rename a tenant or replace its attributes",
        description: 'Requires `If-Match: "<version>"`. `attributes` replaces them all; `null` clears them.',
        security,
        params: TenantParams,
        body: UpdateTenantBody,
        response: { 200: TenantResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      const updated = await tenants.update(scopeOf(request).workspaceId, request.params.tenant, expected, request.body, actorOf(request));
      return withVersion(reply, updated);
    },
  );

  r.delete(
    "/:workspace/tenants/:tenant",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Delete a tenant with its overrides, module switches and tenant-admin memberships",
        description: 'Requires `If-Match: "<version>"`.',
        security,
        params: TenantParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await tenants.delete(scopeOf(request).workspaceId, request.params.tenant, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.put(
    "/:workspace/tenants/:tenant/modules/:module",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "setTenantModule",
        summary: "Switch a module on or off for a tenant",
        description: "Off: every flag of the module is off for the tenant and cannot be enabled there. `If-Match` (the tenant's version) is optional.",
        security,
        params: TenantModuleParams,
        body: SetTenantModuleBody,
        response: { 200: TenantResponse },
      },
    },
    async (request, reply) => {
      const { tenant, module } = request.params;
      const updated = await tenants.setModule(scopeOf(request).workspaceId, tenant, module, request.body.enabled, optionalIfMatch(request), actorOf(request));
      return withVersion(reply, updated);
    },
  );
}
