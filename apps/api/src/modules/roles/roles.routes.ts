import {
  CreateRoleBody,
  OwnTenantRoleParams,
  OwnTenantRolesQuery,
  RoleListResponse,
  RoleParams,
  RoleResponse,
  TenantRoleParams,
  TenantRolesParams,
  UpdateRoleBody,
} from "@ensign/contracts/roles";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";
import { createTenantAdminGuard } from "../tenant-admin/tenant-admin.guard";

const security = [{ bearerAuth: [] }];
const tags = ["roles"];
const IF_MATCH = 'Requires `If-Match: "<version>"`; answers 412 when the role changed since.';
const CHECKS =
  "Every role named in `inherits` (and, for tenant roles, `inheritedBy`) must exist in the hierarchy: 400 names the bad entry. " +
  "A change that would make a role inherit itself answers 409 ROLE_CYCLE naming the cycle (`details.cycle`).";
const DELETE_RULES =
  "Refused with 409 while another role inherits it (`details.roles`) or while flag or segment rules name it in `role_at_least` (`details.flags`, `details.segments`).";

/**
 * `/v1/workspaces/:workspace/roles` and `/v1/workspaces/:workspace/tenants/:tenant/roles`: the
 * end-user role hierarchy that `role_at_least` rules read, and tenants' own roles placed in it.
 */
export async function rolesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.services.roles;
  const workspaceOwner = { tenant: null } as const;

  r.get(
    "/:workspace/roles",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "The workspace's end-user roles, lowest level first", security, params: WorkspaceParams, response: { 200: RoleListResponse } },
    },
    async (request) => roles.list(scopeOf(request).workspaceId, workspaceOwner),
  );

  r.post(
    "/:workspace/roles",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Add an end-user role to the workspace's hierarchy", description: CHECKS, security, params: WorkspaceParams, body: CreateRoleBody, response: { 201: RoleResponse } },
    },
    async (request, reply) => {
      const created = await roles.create(scopeOf(request).workspaceId, workspaceOwner, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.patch(
    "/:workspace/roles/:role",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Change an end-user role", description: `${CHECKS} ${IF_MATCH}`, security, params: RoleParams, body: UpdateRoleBody, response: { 200: RoleResponse } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await roles.update(scopeOf(request).workspaceId, workspaceOwner, request.params.role, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:workspace/roles/:role",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, summary: "Delete an end-user role", description: `${DELETE_RULES} ${IF_MATCH}`, security, params: RoleParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await roles.delete(scopeOf(request).workspaceId, workspaceOwner, request.params.role, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  const tenantOf = (params: { tenant: string }) => ({ tenant: { key: params.tenant } });

  r.get(
    "/:workspace/tenants/:tenant/roles",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        operationId: "listTenantRoles",
        summary: "The role hierarchy in effect for a tenant: the workspace's roles and the tenant's own",
        security,
        params: TenantRolesParams,
        response: { 200: RoleListResponse },
      },
    },
    async (request) => roles.list(scopeOf(request).workspaceId, tenantOf(request.params)),
  );

  r.post(
    "/:workspace/tenants/:tenant/roles",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "createTenantRole",
        summary: "Add a role of the tenant's own",
        description: `\`inherits\` places it above roles; \`inheritedBy\` under others, for this tenant only. ${CHECKS}`,
        security,
        params: TenantRolesParams,
        body: CreateRoleBody,
        response: { 201: RoleResponse },
      },
    },
    async (request, reply) => {
      const created = await roles.create(scopeOf(request).workspaceId, tenantOf(request.params), request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.patch(
    "/:workspace/tenants/:tenant/roles/:role",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, operationId: "updateTenantRole", summary: "Change a role of the tenant's own", description: `${CHECKS} ${IF_MATCH}`, security, params: TenantRoleParams, body: UpdateRoleBody, response: { 200: RoleResponse } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await roles.update(scopeOf(request).workspaceId, tenantOf(request.params), request.params.role, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:workspace/tenants/:tenant/roles/:role",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: { tags, operationId: "deleteTenantRole", summary: "Delete a role of the tenant's own", description: `${DELETE_RULES} ${IF_MATCH}`, security, params: TenantRoleParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await roles.delete(scopeOf(request).workspaceId, tenantOf(request.params), request.params.role, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}

/** `/v1/tenant/roles`: a tenant admin manages their own tenant's roles (the scope names the tenant, never the request). */
export async function tenantAdminRolesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const roles = app.services.roles;
  const requireTenantAdmin = createTenantAdminGuard(app);
  const tenantTags = ["tenant admin"];
  const scopeNote = "Acts on the caller's own tenant. `workspace` (a slug) is required when they are a tenant admin in several workspaces.";
  const own = (scope: { tenantId: string | null }) => ({ tenant: { id: scope.tenantId as string } });

  r.get(
    "/roles",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags: tenantTags,
        operationId: "listTenantAdminRoles",
        summary: "The role hierarchy in effect for the tenant: the workspace's roles and the tenant's own",
        description: scopeNote,
        security,
        querystring: OwnTenantRolesQuery,
        response: { 200: RoleListResponse },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      return roles.list(scope.workspaceId, own(scope));
    },
  );

  r.post(
    "/roles",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags: tenantTags,
        operationId: "createTenantAdminRole",
        summary: "Add a role of the tenant's own",
        description: `${scopeNote} ${CHECKS}`,
        security,
        querystring: OwnTenantRolesQuery,
        body: CreateRoleBody,
        response: { 201: RoleResponse },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const created = await roles.create(scope.workspaceId, own(scope), request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.patch(
    "/roles/:role",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags: tenantTags,
        operationId: "updateTenantAdminRole",
        summary: "Change a role of the tenant's own",
        description: `${scopeNote} The workspace's roles are read-only here. ${CHECKS} ${IF_MATCH}`,
        security,
        params: OwnTenantRoleParams,
        querystring: OwnTenantRolesQuery,
        body: UpdateRoleBody,
        response: { 200: RoleResponse },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const expected = requireIfMatch(request);
      return withVersion(reply, await roles.update(scope.workspaceId, own(scope), request.params.role, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/roles/:role",
    {
      onRequest: [requireTenantAdmin],
      schema: {
        tags: tenantTags,
        operationId: "deleteTenantAdminRole",
        summary: "Delete a role of the tenant's own",
        description: `${scopeNote} ${DELETE_RULES} ${IF_MATCH}`,
        security,
        params: OwnTenantRoleParams,
        querystring: OwnTenantRolesQuery,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const expected = requireIfMatch(request);
      await roles.delete(scope.workspaceId, own(scope), request.params.role, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
