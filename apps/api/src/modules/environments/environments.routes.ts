import { pageOf } from "@ensign/contracts/common";
import {
  ContextSecretResponse,
  CreateEnvironmentBody,
  DeleteEnvironmentBody,
  EnvironmentParams,
  EnvironmentResponse,
  ListEnvironmentsQuery,
  UpdateEnvironmentBody,
} from "@ensign/contracts/environments";
import { SetMasterSwitchBody } from "@ensign/contracts/master-switch";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["environments"];
const IF_MATCH = 'Requires `If-Match: "<version>"`; answers 412 when the environment changed since.';

/** `/v1/workspaces/:workspace/environments`. */
export async function environmentsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const environments = app.services.environments;

  r.get(
    "/:workspace/environments",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "List environments", security, params: WorkspaceParams, querystring: ListEnvironmentsQuery, response: { 200: pageOf(EnvironmentResponse) } },
    },
    async (request) => environments.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "/:workspace/environments",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Create an environment",
        description:
          "Every existing flag gets a state there (off, serving its off variant); the environment gets a fresh context signing secret and requires signed context tokens of client keys unless `requireContextToken: false` (owners only, else 403).",
        security,
        params: WorkspaceParams,
        body: CreateEnvironmentBody,
        response: { 201: EnvironmentResponse },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const created = await environments.create(scope.workspaceId, scope.role, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace/environments/:env",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "An environment", security, params: EnvironmentParams, response: { 200: EnvironmentResponse } },
    },
    async (request, reply) => withVersion(reply, await environments.get(scopeOf(request).workspaceId, request.params.env)),
  );

  r.patch(
    "/:workspace/environments/:env",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Rename, recolour or reorder an environment, or change its context-token settings",
        description: `\`requireContextToken: true\` (the default of new environments) refuses client-key evaluations without a valid signed context token (401), on every replica within the usual propagation; server keys are exempt. Only owners may set it to \`false\` (403 otherwise). \`isProduction\` marks live traffic: the admin app confirms toggles and rollouts there; evaluation is unchanged. ${IF_MATCH}`,
        security,
        params: EnvironmentParams,
        body: UpdateEnvironmentBody,
        response: { 200: EnvironmentResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      const scope = scopeOf(request);
      const updated = await environments.update(scope.workspaceId, scope.role, request.params.env, expected, request.body, actorOf(request));
      return withVersion(reply, updated);
    },
  );

  r.delete(
    "/:workspace/environments/:env",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Delete an environment with its flag states, overrides, identities, schedules and API keys",
        description: `Body \`{"confirm": "<key>"}\`. The last environment cannot be deleted (409). ${IF_MATCH}`,
        security,
        params: EnvironmentParams,
        body: DeleteEnvironmentBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await environments.delete(scopeOf(request).workspaceId, request.params.env, expected, request.body.confirm, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.put(
    "/:workspace/environments/:env/master-switch",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Turn the environment's master switch on, or lift it",
        description:
          'Body `{"enabled": true|false, "reason"?: "…"}`. While it is on, every flag in the environment serves its off variant (reason `DISABLED`, detail `MASTER_SWITCH`) to every evaluation endpoint, replica and server SDK, within the usual propagation. Audited as `environment.master_switch_on` / `environment.master_switch_off`; asking for the state it is already in changes nothing. No `If-Match`: in an emergency the latest word wins.',
        security,
        params: EnvironmentParams,
        body: SetMasterSwitchBody,
        response: { 200: EnvironmentResponse },
      },
    },
    async (request, reply) => {
      const updated = await environments.setMasterSwitch(scopeOf(request).workspaceId, request.params.env, request.body, actorOf(request));
      return withVersion(reply, updated);
    },
  );

  r.get(
    "/:workspace/environments/:env/context-secret",
    {
      onRequest: [app.requireCapability("keys:manage")],
      schema: {
        tags,
        summary: "The secret the customer's backend signs context tokens with",
        description: "Reading it is recorded in the audit log (without the value).",
        security,
        params: EnvironmentParams,
        response: { 200: ContextSecretResponse },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return environments.contextSecret(scopeOf(request).workspaceId, request.params.env, actorOf(request));
    },
  );

  r.post(
    "/:workspace/environments/:env/context-secret/rotate",
    {
      onRequest: [app.requireCapability("keys:manage")],
      schema: {
        tags,
        summary: "Replace the context signing secret",
        description: `Tokens signed with the old secret stop verifying. Answers the new secret once. ${IF_MATCH}`,
        security,
        params: EnvironmentParams,
        response: { 200: ContextSecretResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      reply.header("cache-control", "no-store");
      const rotated = await environments.rotateContextSecret(scopeOf(request).workspaceId, request.params.env, expected, actorOf(request));
      reply.header("etag", `"${rotated.version}"`);
      return rotated;
    },
  );
}
