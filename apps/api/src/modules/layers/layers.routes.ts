import { can } from "@ensign/contracts/auth";
import {
  CreateLayerBody,
  FlagLayerParams,
  LayerListResponse,
  LayerOverrideListResponse,
  LayerOverrideParams,
  LayerOverrideResponse,
  LayerParams,
  LayerResponse,
  OverrideOrderResponse,
  SetLayerOverrideBody,
  SetOverrideOrderBody,
  UpdateLayerBody,
} from "@ensign/contracts/layers";
import { WorkspaceParams } from "@ensign/contracts/workspaces";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { optionalIfMatch as optionalVersion, requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["override layers"];
const IF_MATCH = 'Requires `If-Match: "<version>"`; answers 412 when the layer changed since.';
const layerOverride = "/:workspace/flags/:key/environments/:env/layer-overrides/:layer";

const powersOf = (request: FastifyRequest) => ({ canLock: can(scopeOf(request).role, "overrides:lock") });
const refOf = (params: { key: string; env: string; layer: string; value: string }) => ({ flag: params.key, env: params.env, layer: params.layer, value: params.value });

/**
 * `/v1/workspaces/:workspace/override-layers` and `/override-order`: a workspace's own override
 * dimensions (e.g. `platform`) and the order the override steps are tried in; and per flag and
 * environment, `/layer-overrides/:layer/:value`.
 */
export async function layersRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { layers, layerOverrides } = app.services;

  r.get(
    "/:workspace/override-layers",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "listOverrideLayers", summary: "The workspace's override layers and the override order", security, params: WorkspaceParams, response: { 200: LayerListResponse } },
    },
    async (request) => layers.list(scopeOf(request).workspaceId),
  );

  r.post(
    "/:workspace/override-layers",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "createOverrideLayer",
        summary: "Define an override layer: a context attribute and its known values",
        description: "The layer joins the override order just ahead of the tenant step (user > layers > tenant > rules). Every environment's snapshot changes.",
        security,
        params: WorkspaceParams,
        body: CreateLayerBody,
        response: { 201: LayerResponse },
      },
    },
    async (request, reply) => {
      const created = await layers.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).send(withVersion(reply, created));
    },
  );

  r.get(
    "/:workspace/override-layers/:layer",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "getOverrideLayer", summary: "An override layer", security, params: LayerParams, response: { 200: LayerResponse } },
    },
    async (request, reply) => withVersion(reply, await layers.get(scopeOf(request).workspaceId, request.params.layer)),
  );

  r.patch(
    "/:workspace/override-layers/:layer",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "updateOverrideLayer",
        summary: "Rename an override layer, or change its attribute or values",
        description: `Removing a value that still has overrides answers 409 naming them (\`details.values\`). ${IF_MATCH}`,
        security,
        params: LayerParams,
        body: UpdateLayerBody,
        response: { 200: LayerResponse },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      return withVersion(reply, await layers.update(scopeOf(request).workspaceId, request.params.layer, expected, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:workspace/override-layers/:layer",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "deleteOverrideLayer",
        summary: "Delete an override layer with all its overrides",
        description: `Each removed override gets its own audit entry. ${IF_MATCH}`,
        security,
        params: LayerParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const expected = requireIfMatch(request);
      await layers.delete(scopeOf(request).workspaceId, request.params.layer, expected, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/:workspace/override-order",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "getOverrideOrder", summary: "The order override steps are tried in", security, params: WorkspaceParams, response: { 200: OverrideOrderResponse } },
    },
    async (request) => layers.order(scopeOf(request).workspaceId),
  );

  r.put(
    "/:workspace/override-order",
    {
      onRequest: [app.requireCapability("definitions:write")],
      schema: {
        tags,
        operationId: "setOverrideOrder",
        summary: "Reorder the override steps",
        description: "`order` names `user`, `tenant`, `rules` and every layer exactly once; the first step that decides wins. A locked layer override still wins over all of them.",
        security,
        params: WorkspaceParams,
        body: SetOverrideOrderBody,
        response: { 200: OverrideOrderResponse },
      },
    },
    async (request) => layers.setOrder(scopeOf(request).workspaceId, request.body.order, actorOf(request)),
  );

  r.get(
    layerOverride,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "listLayerOverrides", summary: "A flag's overrides for one layer in an environment", security, params: FlagLayerParams, response: { 200: LayerOverrideListResponse } },
    },
    async (request) =>
      layerOverrides.list(scopeOf(request).workspaceId, { flag: request.params.key, env: request.params.env, layer: request.params.layer }),
  );

  r.get(
    `${layerOverride}/:value`,
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "getLayerOverride", summary: "A flag's override for one layer value", security, params: LayerOverrideParams, response: { 200: LayerOverrideResponse } },
    },
    async (request, reply) => withVersion(reply, await layerOverrides.get(scopeOf(request).workspaceId, refOf(request.params))),
  );

  r.put(
    `${layerOverride}/:value`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        operationId: "setLayerOverride",
        summary: "Set a flag's override for one layer value, optionally locked or expiring",
        description:
          'The value must be one of the layer\'s; the variant one of the flag\'s; `expiresAt` in the future. Replacing an existing override needs `If-Match: "<version>"`. ' +
          "Locking, or changing a locked override, needs `overrides:lock`.",
        security,
        params: LayerOverrideParams,
        body: SetLayerOverrideBody,
        response: { 200: LayerOverrideResponse, 201: LayerOverrideResponse },
      },
    },
    async (request, reply) => {
      const { override, isCreated } = await layerOverrides.set(
        scopeOf(request).workspaceId,
        refOf(request.params),
        request.body,
        optionalVersion(request),
        powersOf(request),
        actorOf(request),
      );
      return reply.code(isCreated ? 201 : 200).send(withVersion(reply, override));
    },
  );

  r.delete(
    `${layerOverride}/:value`,
    {
      onRequest: [app.requireCapability("overrides:write")],
      schema: {
        tags,
        operationId: "clearLayerOverride",
        summary: "Clear a flag's override for one layer value",
        description: "Clearing a locked override needs `overrides:lock`. `If-Match` is optional.",
        security,
        params: LayerOverrideParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await layerOverrides.clear(scopeOf(request).workspaceId, refOf(request.params), optionalVersion(request), powersOf(request), actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
