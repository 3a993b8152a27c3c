import type { ScheduleAction, ScheduleList, ScheduleResponse } from "@ensign/contracts/schedules";
import { Command } from "commander";
import { seg } from "../client";
import { action, parsePercent, type ActionHost } from "../command";
import { usageError } from "../errors";
import { toIso } from "./overrides";

const schedulesPath = (ws: string, flag: string, env: string) => `/v1/workspaces/${seg(ws)}/flags/${seg(flag)}/environments/${seg(env)}/schedules`;

const describeAction = (a: ScheduleAction) => (a.type === "set_rollout" ? `rollout ${a.percentage}%` : a.type);

export function schedulesCommand(host: ActionHost): Command {
  const schedules = new Command("schedules").description("change a flag's state in one environment at a later time");

  schedules
    .command("create <flag>")
    .description("schedule enabling, disabling or a rollout percentage")
    .requiredOption("--env <env>", "the environment")
    .requiredOption("--at <time>", "when, as an ISO date and time (e.g. 2026-12-31T18:00:00Z)")
    .option("--enable", "switch the flag on")
    .option("--disable", "switch the flag off")
    .option("--percent <n>", "serve the on variant to this percentage", parsePercent)
    .action(
      action(host, async (ctx, o: { env: string; at: string; enable?: boolean; disable?: boolean; percent?: number }, flag: string) => {
        const chosen = [o.enable, o.disable, o.percent !== undefined].filter(Boolean).length;
        if (chosen !== 1) throw usageError("Choose exactly one of --enable, --disable and --percent <n>.");
        const scheduled: ScheduleAction = o.enable ? { type: "enable" } : o.disable ? { type: "disable" } : { type: "set_rollout", percentage: o.percent! };
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const created = await client.request<ScheduleResponse>("POST", schedulesPath(ws, flag, o.env), { body: { runAt: toIso(o.at), action: scheduled } });
        if (ctx.out.isJson) return ctx.out.json(created);
        ctx.out.line(`Scheduled ${describeAction(created.action)} of ${flag} in ${o.env} at ${created.runAt} (id ${created.id}).`);
      }),
    );

  schedules
    .command("list <flag>")
    .description("a flag's schedules in one environment, soonest first")
    .requiredOption("--env <env>", "the environment")
    .option("--status <status>", "pending, applied, failed or cancelled")
    .action(
      action(host, async (ctx, o: { env: string; status?: string }, flag: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const list = await client.get<ScheduleList>(schedulesPath(ws, flag, o.env), { status: o.status, pageSize: 200 });
        if (ctx.out.isJson) return ctx.out.json(list);
        ctx.out.table(list.items, [
          { header: "ID", value: (s) => s.id },
          { header: "RUN AT", value: (s) => s.runAt },
          { header: "ACTION", value: (s) => describeAction(s.action) },
          { header: "STATUS", value: (s) => s.status },
        ]);
      }),
    );

  return schedules;
}
