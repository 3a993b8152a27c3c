import type { FlagList, FlagListItem, FlagResponse, FlagStateResponse, FlagStateSummary } from "@ensign/contracts/flags";
import type { JsonValue } from "@ensign/contracts/targeting";
import { Command, Option } from "commander";
import { listAll, seg } from "../client";
import { action, collect, parsePercent, type ActionHost } from "../command";
import type { Context } from "../context";
import { usageError } from "../errors";
import { describeServe, rolloutServe } from "../serve";

const flagPath = (ws: string, key: string) => `/v1/workspaces/${seg(ws)}/flags/${seg(key)}`;
const statePath = (ws: string, key: string, env: string) => `${flagPath(ws, key)}/environments/${seg(env)}`;

const summaryText = (s: FlagStateSummary) => (s.enabled ? s.rollout.summary : "off (disabled)");

export function flagsCommand(host: ActionHost): Command {
  const flags = new Command("flags").description("list, read, create and archive flags; switch them and roll them out per environment");

  flags
    .command("list")
    .description("list the workspace's flags with their state in each environment")
    .option("--env <env>", "only this environment's state")
    .option("--search <text>", "part of the key or the name")
    .option("--module <module>", "only flags of this module")
    .option("--tag <tag>", "only flags with this tag")
    .option("--archived", "list archived flags instead")
    .action(
      action(host, async (ctx, o: { env?: string; search?: string; module?: string; tag?: string; archived?: boolean }) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const items = await listAll<FlagListItem>(client, `/v1/workspaces/${seg(ws)}/flags`, {
          env: o.env,
          search: o.search,
          module: o.module,
          tag: o.tag,
          archived: o.archived ? "true" : undefined,
        });
        if (ctx.out.isJson) return ctx.out.json({ items, total: items.length } satisfies Pick<FlagList, "items" | "total">);
        const envs = [...new Set(items.flatMap((f) => f.environments.map((e) => e.environment)))];
        ctx.out.table(items, [
          { header: "KEY", value: (f) => f.key },
          { header: "NAME", value: (f) => f.name },
          { header: "TYPE", value: (f) => f.type },
          { header: "MODULE", value: (f) => f.module ?? "-" },
          ...envs.map((env) => ({
            header: env.toUpperCase(),
            value: (f: FlagListItem) => {
              const s = f.environments.find((e) => e.environment === env);
              return s ? summaryText(s) : "-";
            },
          })),
        ]);
      }),
    );

  flags
    .command("get <key>")
    .description("a flag's definition and its state in each environment (rules too with --env)")
    .option("--env <env>", "show this environment's full state")
    .action(
      action(host, async (ctx, o: { env?: string }, key: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const flag = await client.get<FlagResponse>(flagPath(ws, key), { env: o.env });
        if (ctx.out.isJson) return ctx.out.json(flag);
        printFlag(ctx, flag);
      }),
    );

  flags
    .command("create <key>")
    .description("create a flag (disabled in every environment)")
    .option("--name <name>", "the name shown in the admin app (the key by default)")
    .option("--description <text>", "what it is for")
    .addOption(new Option("--type <type>", "the value type").choices(["boolean", "string", "number", "json"]).default("boolean"))
    .option("--module <module>", "the key of an existing module")
    .option("--variant <key=value>", "a variant (repeat; value is JSON or text); boolean flags have on and off already", collect)
    .option("--on-variant <key>", "the variant `enable` and rollouts serve")
    .option("--off-variant <key>", "the variant served when disabled")
    .option("--tag <tag>", "a tag (repeat)", collect)
    .option("--owner <owner>", "who answers for the flag")
    .addOption(new Option("--lifecycle <lifecycle>", "temporary (to be removed) or permanent").choices(["temporary", "permanent"]))
    .option("--beta", "mark it as a beta feature")
    .option("--tenant-manageable", "let tenant admins switch it for their tenant")
    .option("--depends-on <flag>", "a prerequisite flag (repeat)", collect)
    .action(
      action(host, async (ctx, o: CreateOptions, key: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const body = {
          key,
          name: o.name ?? key,
          description: o.description,
          type: o.type,
          module: o.module,
          variants: o.variant?.map(parseVariant),
          onVariant: o.onVariant,
          offVariant: o.offVariant,
          tags: o.tag,
          owner: o.owner,
          lifecycle: o.lifecycle,
          isBeta: o.beta,
          tenantManageable: o.tenantManageable,
          dependsOn: o.dependsOn,
        };
        const flag = await client.request<FlagResponse>("POST", `/v1/workspaces/${seg(ws)}/flags`, { body });
        if (ctx.out.isJson) return ctx.out.json(flag);
        ctx.out.note(`Created flag ${flag.key}, disabled in every environment.`);
        printFlag(ctx, flag);
      }),
    );

  flags
    .command("archive <key>")
    .description("archive a flag: hidden from lists, evaluates as not found (restore it in the admin app)")
    .action(
      action(host, async (ctx, _o: object, key: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const current = await client.get<FlagResponse>(flagPath(ws, key));
        const flag = await client.request<FlagResponse>("POST", `${flagPath(ws, key)}/archive`, { ifMatch: current.version });
        if (ctx.out.isJson) return ctx.out.json(flag);
        ctx.out.line(`Archived flag ${flag.key}.`);
      }),
    );

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    flags
      .command(`${name} <key>`)
      .description(`switch a flag ${enabled ? "on" : "off"} in one environment${enabled ? " (seed 002's EnableFeature)" : ""}`)
      .requiredOption("--env <env>", "the environment")
      .action(
        action(host, async (ctx, o: { env: string }, key: string) => {
          const client = await ctx.client();
          const ws = await ctx.workspace();
          const current = await client.get<FlagStateResponse>(statePath(ws, key, o.env));
          const state =
            current.enabled === enabled
              ? current
              : await client.request<FlagStateResponse>("PUT", `${statePath(ws, key, o.env)}/enabled`, { body: { enabled }, ifMatch: current.version });
          if (ctx.out.isJson) return ctx.out.json(state);
          const was = current.enabled === enabled ? " (it was already)" : "";
          ctx.out.line(`${key} is ${enabled ? "on" : "off"} in ${o.env}${was}: serves ${describeServe(state.fallthrough)}${state.rules.length ? ` after ${state.rules.length} rule(s)` : ""}.`);
        }),
      );
  }

  flags
    .command("rollout <key>")
    .description("serve a flag's on variant to a percentage of contexts in one environment (seed 002's RolloutFeature)")
    .requiredOption("--env <env>", "the environment")
    .requiredOption("--percent <n>", "0 to 100 (three decimals at most)", parsePercent)
    .option("--by <attribute>", "the context attribute that buckets, e.g. tenantKey (targetingKey by default)")
    .action(
      action(host, async (ctx, o: { env: string; percent: number; by?: string }, key: string) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const flag = await client.get<FlagResponse>(flagPath(ws, key), { env: o.env });
        if (!flag.state) throw usageError(`The API did not answer ${key}'s state in ${o.env}.`);
        const fallthrough = rolloutServe(flag, o.percent, o.by);
        const state = await client.request<FlagStateResponse>("PATCH", statePath(ws, key, o.env), { body: { fallthrough }, ifMatch: flag.state.version });
        if (ctx.out.isJson) return ctx.out.json(state);
        ctx.out.line(`${key} in ${o.env} serves ${describeServe(state.fallthrough)}.`);
        if (!state.enabled) ctx.out.note(`${key} is disabled in ${o.env}: the rollout applies once it is enabled (ensign flags enable ${key} --env ${o.env}).`);
      }),
    );

  return flags;
}

interface CreateOptions {
  name?: string;
  description?: string;
  type: "boolean" | "string" | "number" | "json";
  module?: string;
  variant?: string[];
  onVariant?: string;
  offVariant?: string;
  tag?: string[];
  owner?: string;
  lifecycle?: "temporary" | "permanent";
  beta?: boolean;
  tenantManageable?: boolean;
  dependsOn?: string[];
}

/** `key=value`: the value as JSON when it parses, else as text (`--variant dark=dark`). */
function parseVariant(text: string): { key: string; value: JsonValue } {
  const at = text.indexOf("=");
  if (at <= 0) throw usageError(`--variant takes key=value, not '${text}'.`);
  const raw = text.slice(at + 1);
  let value: JsonValue;
  try {
    value = JSON.parse(raw) as JsonValue;
  } catch {
    value = raw;
  }
  return { key: text.slice(0, at), value };
}

function printFlag(ctx: Context, flag: FlagResponse) {
  ctx.out.fields([
    ["key", flag.key],
    ["name", flag.name],
    ["type", flag.type],
    ["module", flag.module ?? "-"],
    ["variants", flag.variants.map((v) => `${v.key}=${JSON.stringify(v.value)}`).join(", ")],
    ["on / off", `${flag.onVariant} / ${flag.offVariant}`],
    ["tags", flag.tags.join(", ") || "-"],
    ["lifecycle", `${flag.lifecycle}${flag.archivedAt ? " (archived)" : flag.deprecatedAt ? " (deprecated)" : ""}`],
    ["version", String(flag.version)],
  ]);
  ctx.out.line("");
  ctx.out.table(flag.environments, [
    { header: "ENVIRONMENT", value: (s) => s.environment },
    { header: "ENABLED", value: (s) => (s.enabled ? "yes" : "no") },
    { header: "SERVES", value: (s) => s.rollout.summary },
    { header: "RULES", value: (s) => String(s.ruleCount) },
    { header: "OVERRIDES", value: (s) => String(s.overrideCount + s.userOverrideCount) },
  ]);
  if (flag.state?.rules.length) {
    ctx.out.line("");
    ctx.out.table(flag.state.rules, [
      { header: "RULE", value: (r) => r.name ?? r.id },
      { header: "CONDITIONS", value: (r) => r.conditions.map((c) => `${c.negate ? "not " : ""}${c.attribute} ${c.operator} ${c.values.join("|")}`).join(" and ") || "(everyone)" },
      { header: "SERVES", value: (r) => describeServe(r.serve) },
    ]);
  }
}
