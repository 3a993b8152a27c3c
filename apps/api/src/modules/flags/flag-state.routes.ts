import {
  CreateRuleBody,
  FlagEnvParams,
  FlagStateResponse,
  ReorderRulesBody,
  RuleParams,
  ToggleFlagBody,
  UpdateFlagStateBody,
  UpdateRuleBody,
} from "@ensign/contracts/flags";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";
import { requireIfMatch, withVersion } from "../../infra/versioning";

const security = [{ bearerAuth: [] }];
const tags = ["flag state"];
const ifMatch = 'Requires `If-Match: "<version>"` of the flag state (one version covers the state and its rules); answers 412 when it changed since.';

/** A flag's state in one environment and its rules: `/v1/workspaces/:workspace/flags/:key/environments/:env`. */
export async function flagStateRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { flagState, rules } = app.services;
  const write = app.requireCapability("state:write");

  r.get(
    "",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, operationId: "getFlagState", summary: "A flag's state in one environment, rules included", security, params: FlagEnvParams, response: { 200: FlagStateResponse } },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      return withVersion(reply, await flagState.get(scopeOf(request).workspaceId, key, env));
    },
  );

  r.patch(
    "",
    {
      onRequest: [write],
      schema: {
        tags,
        operationId: "updateFlagState",
        summary: "Change the kill switch, fallthrough (variant or split), or tenant allow and deny lists",
        description: `${ifMatch} Missing fields stay. Split weights are thousandths of a percent and total 100000. Tenants must exist and cannot be on both lists.`,
        security,
        params: FlagEnvParams,
        body: UpdateFlagStateBody,
        response: { 200: FlagStateResponse },
      },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      const expected = requireIfMatch(request);
      return withVersion(reply, await flagState.update(scopeOf(request).workspaceId, key, env, expected, request.body, actorOf(request)));
    },
  );

  r.put(
    "/enabled",
    {
      onRequest: [write],
      schema: { tags, operationId: "setFlagEnabled", summary: "Switch a flag on or off in one environment", description: ifMatch, security, params: FlagEnvParams, body: ToggleFlagBody, response: { 200: FlagStateResponse } },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      const expected = requireIfMatch(request);
      return withVersion(reply, await flagState.toggle(scopeOf(request).workspaceId, key, env, expected, request.body.enabled, actorOf(request)));
    },
  );

  r.post(
    "/rules",
    {
      onRequest: [write],
      schema: {
        tags,
        summary: "Add a targeting rule (appended, or at `position`)",
        description: `${ifMatch} Refused with 409 FLAG_DEPRECATED for deprecated flags. Answers the whole state; \`Location\` names the new rule.`,
        security,
        params: FlagEnvParams,
        body: CreateRuleBody,
        response: { 201: FlagStateResponse },
      },
    },
    async (request, reply) => {
      const { workspace, key, env } = request.params;
      const expected = requireIfMatch(request);
      const { state, ruleId } = await rules.add(scopeOf(request).workspaceId, key, env, expected, request.body, actorOf(request));
      reply.header("location", `/v1/workspaces/${workspace}/flags/${key}/environments/${env}/rules/${ruleId}`);
      return reply.code(201).send(withVersion(reply, state));
    },
  );

  r.put(
    "/rules/order",
    {
      onRequest: [write],
      schema: { tags, operationId: "reorderRules", summary: "Reorder the rules", description: `${ifMatch} \`ruleIds\` must be exactly the current rules.`, security, params: FlagEnvParams, body: ReorderRulesBody, response: { 200: FlagStateResponse } },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      const expected = requireIfMatch(request);
      const { state } = await rules.reorder(scopeOf(request).workspaceId, key, env, expected, request.body.ruleIds, actorOf(request));
      return withVersion(reply, state);
    },
  );

  r.patch(
    "/rules/:ruleId",
    {
      onRequest: [write],
      schema: { tags, summary: "Edit a rule", description: `${ifMatch} Missing fields stay; \`name: null\` clears the name.`, security, params: RuleParams, body: UpdateRuleBody, response: { 200: FlagStateResponse } },
    },
    async (request, reply) => {
      const { key, env, ruleId } = request.params;
      const expected = requireIfMatch(request);
      const { state } = await rules.update(scopeOf(request).workspaceId, key, env, ruleId, expected, request.body, actorOf(request));
      return withVersion(reply, state);
    },
  );

  r.delete(
    "/rules/:ruleId",
    {
      onRequest: [write],
      schema: { tags, summary: "Delete a rule", description: ifMatch, security, params: RuleParams, response: { 200: FlagStateResponse } },
    },
    async (request, reply) => {
      const { key, env, ruleId } = request.params;
      const expected = requireIfMatch(request);
      const { state } = await rules.remove(scopeOf(request).workspaceId, key, env, ruleId, expected, actorOf(request));
      return withVersion(reply, state);
    },
  );
}
