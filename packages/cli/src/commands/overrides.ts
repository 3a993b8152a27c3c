import type { FlagResponse } from "@ensign/contracts/flags";
import type { TenantOverrideResponse, UserOverrideResponse } from "@ensign/contracts/overrides";
import { Command } from "commander";
import { seg } from "../client";
import { action, type ActionHost } from "../command";
import { usageError } from "../errors";

interface Target {
  env: string;
  tenant?: string;
  user?: string;
}

/** `.../tenant-overrides/<tenant>` or `.../user-overrides/<user>`, after checking exactly one was named. */
function overridePath(ws: string, flag: string, o: Target): { path: string; who: string } {
  if (Boolean(o.tenant) === Boolean(o.user)) throw usageError("Name exactly one of --tenant <key> and --user <key>.");
  const base = `/v1/workspaces/${seg(ws)}/flags/${seg(flag)}/environments/${seg(o.env)}`;
  return o.tenant
    ? { path: `${base}/tenant-overrides/${seg(o.tenant)}`, who: `tenant ${o.tenant}` }
    : { path: `${base}/user-overrides/${seg(o.user!)}`, who: `user ${o.user}` };
}

export function overridesCommand(host: ActionHost): Command {
  const overrides = new Command("overrides").description("set and clear a flag's variant for one tenant or one user");

  overrides
    .command("set <flag>")
    .description("serve a variant to one tenant or user, whatever the rules say")
    .requiredOption("--env <env>", "the environment")
    .option("--tenant <key>", "the tenant")
    .option("--user <key>", "the user")
    .option("--variant <key>", "the variant to serve (the flag's on variant by default)")
    .option("--lock", "tenant overrides: tenant admins cannot change it")
    .option("--unlock", "tenant overrides: tenant admins may change it again")
    .option("--expires <time>", "an ISO date and time when it stops applying")
    .action(
      action(host, async (ctx, o: Target & { variant?: string; lock?: boolean; unlock?: boolean; expires?: string }, flag: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const { path, who } = overridePath(ws, flag, o);
        if (o.user && (o.lock || o.unlock)) throw usageError("--lock and --unlock are for tenant overrides.");
        if (o.lock && o.unlock) throw usageError("Pass --lock or --unlock, not both.");
        const variant = o.variant ?? (await client.get<FlagResponse>(`/v1/workspaces/${seg(ws)}/flags/${seg(flag)}`)).onVariant;
        const existing = await client.find<{ version: number }>(path);
        const body = {
          variant,
          ...(o.lock ? { locked: true } : o.unlock ? { locked: false } : {}),
          ...(o.expires !== undefined ? { expiresAt: toIso(o.expires) } : {}),
        };
        const saved = await client.request<TenantOverrideResponse | UserOverrideResponse>("PUT", path, { body, ifMatch: existing?.version });
        if (ctx.out.isJson) return ctx.out.json(saved);
        const locked = "locked" in saved && saved.locked ? ", locked" : "";
        const until = saved.expiresAt ? ` until ${saved.expiresAt}` : "";
        ctx.out.line(`${flag} in ${o.env} serves ${saved.variant} to ${who}${locked}${until}.`);
      }),
    );

  overrides
    .command("clear <flag>")
    .description("remove a tenant's or user's override: the rules decide again")
    .requiredOption("--env <env>", "the environment")
    .option("--tenant <key>", "the tenant")
    .option("--user <key>", "the user")
    .action(
      action(host, async (ctx, o: Target, flag: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const { path, who } = overridePath(ws, flag, o);
        const existing = await client.find<{ version: number }>(path);
        if (existing) await client.request("DELETE", path, { ifMatch: existing.version });
        if (ctx.out.isJson) return ctx.out.json({ flag, environment: o.env, ...(o.tenant ? { tenant: o.tenant } : { user: o.user }), cleared: Boolean(existing) });
        ctx.out.line(existing ? `Cleared ${flag}'s override for ${who} in ${o.env}.` : `${flag} has no override for ${who} in ${o.env}; nothing to clear.`);
      }),
    );

  return overrides;
}

/** An ISO date and time, checked here so a typo is a usage error rather than an API round trip. */
export function toIso(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw usageError(`Not a date and time: '${text}' (use ISO 8601, e.g. 2026-12-31T18:00:00Z).`);
  return new Date(ms).toISOString();
}
