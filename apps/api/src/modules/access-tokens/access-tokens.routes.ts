import {
  CreatedPersonalTokenResponse,
  CreatedServiceTokenResponse,
  CreatePersonalTokenBody,
  CreateServiceTokenBody,
  PersonalTokenParams,
  PersonalTokenResponse,
  ServiceTokenParams,
  ServiceTokenResponse,
} from "@ensign/contracts/access-tokens";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { principalOf, scopeOf } from "../../infra/auth";
import { forbidden } from "../../infra/errors";

const security = [{ bearerAuth: [] }];
const tags = ["access-tokens"];

/** `/v1/auth/tokens`: a signed-in user's own personal access tokens. Tokens cannot manage tokens. */
export async function personalTokensRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tokens = app.services.personalTokens;
  const guard = { onRequest: [app.requireSession] };

  r.get(
    "/",
    {
      ...guard,
      schema: { tags, operationId: "listPersonalTokens", summary: "Your personal access tokens (never their secrets)", security, response: { 200: z.object({ items: z.array(PersonalTokenResponse) }) } },
    },
    async (request) => ({ items: await tokens.list(principalOf(request).userId) }),
  );

  r.post(
    "/",
    {
      ...guard,
      schema: {
        tags,
        operationId: "createPersonalToken",
        summary: "Create a personal access token; its secret is shown in this answer only",
        description:
          "The token acts as you, with your roles as they are at each request, never above them; `maxRole` (admin, editor or viewer) narrows it further. " +
          "It expires after `expiresInDays` (default 90, at most 365). Send it as `Authorization: Bearer ens_pat_…`. Needs a signed-in session: a token cannot create tokens.",
        security,
        body: CreatePersonalTokenBody,
        response: { 201: CreatedPersonalTokenResponse },
      },
    },
    async (request, reply) => {
      const created = await tokens.create(principalOf(request).userId, request.body);
      return reply.code(201).header("cache-control", "no-store").send(created);
    },
  );

  r.delete(
    "/:id",
    {
      ...guard,
      schema: { tags, operationId: "revokePersonalToken", summary: "Revoke one of your personal access tokens", description: "Refused at once on the next request. Revoking twice changes nothing.", security, params: PersonalTokenParams, response: { 200: PersonalTokenResponse } },
    },
    async (request) => tokens.revoke(principalOf(request).userId, request.params.id),
  );
}

/**
 * Service tokens are managed by people in a sign-in session: no access token (personal or
 * service) can mint another that would outlive its own revocation.
 */
async function requirePerson(request: FastifyRequest): Promise<void> {
  if (request.serviceToken || request.principal?.sessionId === null) throw forbidden("Sign in to manage service tokens: an access token cannot.");
}

/** `/v1/workspaces/:workspace/service-tokens`: a workspace's tokens for automation, managed with `keys:manage`. */
export async function serviceTokensRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tokens = app.services.serviceTokens;
  const guard = { onRequest: [app.requireCapability("keys:manage"), requirePerson] };

  r.get(
    "/:workspace/service-tokens",
    {
      ...guard,
      schema: { tags, operationId: "listServiceTokens", summary: "The workspace's service tokens (never their secrets)", security, params: WorkspaceParams, response: { 200: z.object({ items: z.array(ServiceTokenResponse) }) } },
    },
    async (request) => ({ items: await tokens.list(scopeOf(request).workspaceId) }),
  );

  r.post(
    "/:workspace/service-tokens",
    {
      ...guard,
      schema: {
        tags,
        operationId: "createServiceToken",
        summary: "Create a service token; its secret is shown in this answer only",
        description:
          "The token acts in this workspace with `role` (admin, editor or viewer). With `environment`, it may change only that environment's state: " +
          "other environments and workspace-wide changes are refused with 403 (reading stays allowed). It expires after `expiresInDays` (default 90, at most 365). " +
          "Needs a sign-in session: an access token cannot create service tokens.",
        security,
        params: WorkspaceParams,
        body: CreateServiceTokenBody,
        response: { 201: CreatedServiceTokenResponse },
      },
    },
    async (request, reply) => {
      const created = await tokens.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).header("cache-control", "no-store").send(created);
    },
  );

  r.delete(
    "/:workspace/service-tokens/:id",
    {
      ...guard,
      schema: { tags, operationId: "revokeServiceToken", summary: "Revoke a service token", description: "Refused at once on the next request. Revoking twice changes nothing.", security, params: ServiceTokenParams, response: { 200: ServiceTokenResponse } },
    },
    async (request) => tokens.revoke(scopeOf(request).workspaceId, request.params.id, actorOf(request)),
  );
}
