import type { ApiKeyResponse, CreatedApiKeyResponse } from "@ensign/contracts/api-keys";
import { Command, Option } from "commander";
import { listAll, seg } from "../client";
import { action, type ActionHost } from "../command";

export function keysCommand(host: ActionHost): Command {
  const keys = new Command("keys").description("API keys, with which SDKs and applications evaluate flags in one environment");

  keys
    .command("create")
    .description("create an API key; its secret is shown this once")
    .requiredOption("--env <env>", "the environment it evaluates in")
    .requiredOption("--name <name>", "what uses it, e.g. 'web shop (production)'")
    .addOption(new Option("--kind <kind>", "server: downloads the configuration for local evaluation; client: public, evaluates only").choices(["server", "client"]).default("server"))
    .action(
      action(host, async (ctx, o: { env: string; name: string; kind: "server" | "client" }) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const created = await client.request<CreatedApiKeyResponse>("POST", `/v1/workspaces/${seg(ws)}/environments/${seg(o.env)}/api-keys`, { body: { name: o.name, kind: o.kind } });
        if (ctx.out.isJson) return ctx.out.json(created);
        // The secret alone on stdout, so `KEY=$(ensign keys create ...)` captures it; the rest is a note.
        ctx.out.note(`Created ${created.kind} key '${created.name}' (${created.prefix}) in ${created.environment}. Store the secret now: it is not shown again.`);
        ctx.out.line(created.secret);
      }),
    );

  keys
    .command("list")
    .description("the workspace's API keys (never their secrets)")
    .option("--env <env>", "only this environment's")
    .option("--active", "leave out revoked keys")
    .action(
      action(host, async (ctx, o: { env?: string; active?: boolean }) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const items = await listAll<ApiKeyResponse>(client, `/v1/workspaces/${seg(ws)}/api-keys`, { environment: o.env, includeRevoked: o.active ? "false" : undefined });
        if (ctx.out.isJson) return ctx.out.json({ items });
        ctx.out.table(items, [
          { header: "PREFIX", value: (k) => k.prefix },
          { header: "NAME", value: (k) => k.name },
          { header: "KIND", value: (k) => k.kind },
          { header: "ENVIRONMENT", value: (k) => k.environment },
          { header: "LAST USED", value: (k) => k.lastUsedAt ?? "never" },
          { header: "REVOKED", value: (k) => k.revokedAt ?? "-" },
        ]);
      }),
    );

  return keys;
}
