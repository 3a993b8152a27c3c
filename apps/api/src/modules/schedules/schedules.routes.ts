import { FlagEnvParams } from "@ensign/contracts/flags";
import {
  CancelScheduleQuery,
  CreateRampBody,
  CreateScheduleBody,
  ListSchedulesQuery,
  RampResponse,
  ScheduleList,
  ScheduleParams,
  ScheduleResponse,
} from "@ensign/contracts/schedules";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["schedules"];

/** Schedules of a flag state: `/v1/workspaces/:workspace/flags/:key/environments/:env/schedules`. */
export async function schedulesRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const schedules = app.services.schedules;
  const write = app.requireCapability("state:write");

  r.get(
    "",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: { tags, summary: "A flag state's schedules, soonest first", security, params: FlagEnvParams, querystring: ListSchedulesQuery, response: { 200: ScheduleList } },
    },
    async (request) => {
      const { key, env } = request.params;
      return schedules.list(scopeOf(request).workspaceId, key, env, request.query);
    },
  );

  r.post(
    "",
    {
      onRequest: [write],
      schema: {
        tags,
        summary: "Schedule a change: enable, disable, or set the rollout percentage",
        description:
          "At `runAt` the runner applies the action as the `system` actor (audited, versioned like a manual write). `set_rollout` makes the fallthrough " +
          "serve the on variant to `percentage` % (on variant first, so raising it never turns anyone off; 0 and 100 serve one variant).",
        security,
        params: FlagEnvParams,
        body: CreateScheduleBody,
        response: { 201: ScheduleResponse },
      },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      return reply.code(201).send(await schedules.create(scopeOf(request).workspaceId, key, env, request.body, actorOf(request)));
    },
  );

  r.post(
    "/ramp",
    {
      onRequest: [write],
      schema: {
        tags,
        operationId: "createRamp",
        summary: "Schedule a step-wise ramp: one set_rollout per step, sharing a rampId",
        security,
        params: FlagEnvParams,
        body: CreateRampBody,
        response: { 201: RampResponse },
      },
    },
    async (request, reply) => {
      const { key, env } = request.params;
      return reply.code(201).send(await schedules.ramp(scopeOf(request).workspaceId, key, env, request.body, actorOf(request)));
    },
  );

  r.delete(
    "/:scheduleId",
    {
      onRequest: [write],
      schema: {
        tags,
        operationId: "cancelSchedule",
        summary: "Cancel a pending schedule (with `?ramp=true`, every pending step of its ramp)",
        description: "Applied, failed and cancelled schedules stay as history; cancelling one of them answers 409.",
        security,
        params: ScheduleParams,
        querystring: CancelScheduleQuery,
        response: { 200: z.object({ items: z.array(ScheduleResponse) }) },
      },
    },
    async (request) => {
      const { key, env, scheduleId } = request.params;
      return { items: await schedules.cancel(scopeOf(request).workspaceId, key, env, scheduleId, request.query.ramp, actorOf(request)) };
    },
  );
}
