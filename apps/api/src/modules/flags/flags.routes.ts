import {
  CopyFlagStateBody,
  CreateFlagBody,
  DeleteFlagBody,
  FlagList,
  FlagParams,
  FlagResponse,
  FlagStateResponse,
  GetFlagQuery,
  ListFlagsQuery,
  UpdateFlagBody,
} from "@ensign/contracts/flags";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["flags"];
const ifMatch = 'Requires `If-Match: "<version>"` of the flag; answers 412 when it changed since.';

/** Flag definitions: `/v1/workspaces/:workspace/flags`. */
export async function flagsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { flags, flagsList, flagState } = app.services;

  r.get(
    "",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        summary: "List flags",
        description:
          "Paginated, sortable, searchable (key or name, case-insensitive) and filterable by module, tag, type, beta, deprecated and archived " +
          "(archived flags are hidden unless `archived=true`). Each row summarises the flag's state in `env`, or in every environment when absent. " +
          "`state` (needs `env`): `off` = disabled, or enabled and serving the off variant to everyone; `on` = enabled, serving one non-off variant " +
          "to everyone with nothing targeting; `partial` = enabled with rules, a split, an allow or deny list, or overrides.",
        security,
        params: WorkspaceParams,
        querystring: ListFlagsQuery,
        response: { 200: FlagList },
      },
    },
    async (request) => flagsList.list(scopeOf(request).workspaceId, request.query),
  );

  r.post(
    "",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Create a flag",
        description: "Creates the definition and its state in every environment (disabled, serving the off variant unless `initialState` says otherwise).",
        security,
        params: WorkspaceParams,
        body: CreateFlagBody,
        response: { 201: FlagResponse },
      },
    },
    async (request, reply) => {
      const created = await flags.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:key",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags,
        summary: "A flag with its state summary in every environment",
        description: "With `?env=`, only that environment's summary, plus its full state (rules included) in `state`.",
        security,
        params: FlagParams,
        querystring: GetFlagQuery,
        response: { 200: FlagResponse },
      },
    },
    async (request, reply) => withVersion(reply, await flags.get(scopeOf(request).workspaceId, request.params.key, request.query.env)),
  );

  r.patch(
    "/:key",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        summary: "Edit a flag's definition",
        description: `${ifMatch} Missing fields stay; \`null\` clears module and owner. The key and type cannot change (400).`,
        security,
        params: FlagParams,
        body: UpdateFlagBody,
        response: { 200: FlagResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await flags.update(scopeOf(request).workspaceId, request.params.key, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:key",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "deleteFlag",
        summary: "Delete an archived flag for good",
        description: `Only an archived flag (409 otherwise). Type its key as \`confirm\`. Its state in every environment, its tenant and user overrides, schedules and statistics go with it; one \`flag.deleted\` audit entry counts them, and the key can be used again. ${ifMatch}`,
        security,
        params: FlagParams,
        body: DeleteFlagBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await flags.delete(scopeOf(request).workspaceId, request.params.key, expected, request.body.confirm, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  const lifecycle = [
    ["deprecate", "deprecated", "Deprecate a flag: still listed and evaluated as before, but it takes no new rules"],
    ["archive", "archived", "Archive a flag: hidden from lists, evaluates as FLAG_NOT_FOUND; refused (409 HAS_DEPENDANTS) while other flags depend on it"],
    ["restore", "restored", "Restore a deprecated or archived flag"],
  ] as const;
  for (const [path, to, summary] of lifecycle) {
    r.post(
      `/:key/${path}`,
      {
        onRequest: [app.requireCapability("definitions:write")],
        schema: { tags, summary, description: ifMatch, security, params: FlagParams, response: { 200: FlagResponse } },
      },
      async (request, reply) => {
        const expected = requireIfMatch(request);
        return withVersion(reply, await flags.setLifecycle(scopeOf(request).workspaceId, request.params.key, expected, to, actorOf(request)));
      },
    );
  }

  r.post(
    "/:key/copy-state",
    {
      onRequest: [app.requireCapability("state:write")],
      schema: {
        tags: ["flag state"],
        operationId: "copyFlagState",
        summary: "Copy a flag's state from one environment to another",
        description:
          'Copies enabled, fallthrough, tenant allow and deny lists, and rules (with new ids) from `from` into `to`, replacing what `to` had. Requires `If-Match: "<version>"` of the state in `to`.',
        security,
        params: FlagParams,
        body: CopyFlagStateBody,
        response: { 200: FlagStateResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await flagState.copy(scopeOf(request).workspaceId, request.params.key, expected, request.body, actorOf(request)));
    },
  );
}
