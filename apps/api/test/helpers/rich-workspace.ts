import { randomUUID } from "node:crypto";
import type { Prisma } from "../../src/generated/prisma/client";
import type { Database } from "../../src/infra/db/database";
import { generateApiKey } from "../../src/modules/auth/secrets";
import { createWorkspace } from "./fixtures";

const FUTURE = new Date("2031-06-01T00:00:00.000Z");
const SOON = new Date("2030-01-15T09:30:00.000Z");

/** Rules using every operator family, a negation, segments and splits. */
export const RICH_RULES = [
  {
    name: "staff",
    conditions: [
      { attribute: "role", operator: "in", values: ["admin", "owner"] },
      { attribute: "country", operator: "not_in", values: ["XX"] },
      { attribute: "email", operator: "contains", values: ["@"] },
      { attribute: "name", operator: "starts_with", values: ["A"] },
      { attribute: "email", operator: "ends_with", values: [".test"] },
      { attribute: "path", operator: "matches", values: ["^/app/"] },
      { attribute: "plan", operator: "equals", values: ["pro"], negate: true },
    ],
    serve: { variant: "on" },
  },
  {
    name: "numbers",
    conditions: [
      { attribute: "age", operator: "gte", values: [18] },
      { attribute: "age", operator: "lt", values: [65] },
      { attribute: "tenant.seats", operator: "gt", values: [10] },
      { attribute: "tenant.seats", operator: "lte", values: [100] },
    ],
    serve: { variant: "off" },
  },
  {
    conditions: [
      { attribute: "signupAt", operator: "after", values: ["now-30d"] },
      { attribute: "signupAt", operator: "before", values: ["2031-01-01T00:00:00Z"] },
    ],
    serve: { split: { allocations: [{ variant: "on", weight: 33_333 }, { variant: "off", weight: 66_667 }], bucketBy: "tenantKey" } },
  },
  {
    name: "versions and audiences",
    conditions: [
      { attribute: "appVersion", operator: "semver_gt", values: ["1.0.0"] },
      { attribute: "appVersion", operator: "semver_lt", values: ["3.0.0"] },
      { attribute: "minVersion", operator: "semver_eq", values: ["2.1.0"] },
      { attribute: "emailVerified", operator: "exists", values: [] },
      { attribute: "targetingKey", operator: "in_segment", values: ["beta"] },
      { attribute: "targetingKey", operator: "percentage", values: [25] },
    ],
    serve: { variant: "on" },
  },
];

interface StateSpec {
  enabled: boolean;
  fallthrough: Prisma.InputJsonValue;
  allow?: string[];
  deny?: string[];
  rules?: typeof RICH_RULES;
}
type FlagSpec = Omit<Prisma.FlagCreateManyInput, "workspaceId" | "salt"> & { states: Record<string, StateSpec> };

const BOOLEAN = [
  { key: "on", value: true, name: "On" },
  { key: "off", value: false, name: "Off", description: "Nothing changes" },
];

/**
 * A workspace with every kind of data an export carries, written directly through Prisma:
 * four environments, modules, flags of every type with rules of every operator family and
 * splits, segments, tenants with attributes and module switches, overrides with expiry,
 * identities, schedules (one ramp), an API key.
 */
export async function createRichWorkspace(db: Database) {
  const p = db.prisma;
  const ws = await createWorkspace(db);
  const workspaceId = ws.id;
  await p.environment.updateMany({ where: { workspaceId, key: "production" }, data: { name: "Production", color: "#dc2626" } });
  const qa = await p.environment.create({
    data: { workspaceId, key: "qa", name: "QA", color: "#22c55e", sortOrder: 7, contextSecret: "ecs_rich_qa_secret", contextIssuer: "https://auth.rich.test/", contextJwksUrl: "https://auth.rich.test/jwks", requireContextToken: true },
  });
  const envs = new Map([...ws.environments, qa].map((env) => [env.key, env.id]));

  const fin = await p.module.create({ data: { workspaceId, key: "FIN", name: "Finance", description: "Invoices and reports" } });
  const str = await p.module.create({ data: { workspaceId, key: "STR", name: "Short-term rental" } });
  const tenants = new Map<string, string>();
  for (const [key, attributes] of [
    ["acme", { plan: "pro", region: "eu", seats: 40 }],
    ["globex", { plan: "standard", region: "us", seats: 5, tags: ["a", "b"] }],
    ["initech", { plan: "enterprise", nested: { vat: true } }],
    ["umbrella", { plan: "pro", seats: 50 }],
  ] as const) {
    tenants.set(key, (await p.tenant.create({ data: { workspaceId, key, name: key.toUpperCase(), attributes } })).id);
  }
  await p.tenantModule.create({ data: { workspaceId, tenantId: tenants.get("globex")!, moduleId: str.id, enabled: false } });
  await p.tenantModule.create({ data: { workspaceId, tenantId: tenants.get("initech")!, moduleId: fin.id, enabled: true } });

  await p.segment.create({
    data: {
      workspaceId,
      key: "beta",
      name: "Beta testers",
      description: "First in line",
      includedUsers: ["u-1"],
      excludedUsers: ["u-9"],
      includedTenants: ["acme"],
      excludedTenants: ["initech"],
      rules: [{ conditions: [{ attribute: "email", operator: "ends_with", values: ["@beta.test"] }] }],
    },
  });
  await p.segment.create({ data: { workspaceId, key: "vip", name: "VIP", rules: [{ conditions: [{ attribute: "tenant.plan", operator: "in", values: ["enterprise"] }] }] } });

  const off: StateSpec = { enabled: false, fallthrough: { variant: "off" } };
  const specs: FlagSpec[] = [
    {
      key: "fin_invoices",
      name: "Invoices",
      description: "Send invoices",
      moduleId: fin.id,
      type: "boolean",
      variants: BOOLEAN,
      offVariant: "off",
      onVariant: "on",
      tags: ["fin", "billing"],
      isBeta: true,
      lifecycle: "permanent",
      owner: "finance-team",
      states: {
        development: { enabled: true, fallthrough: { variant: "on" } },
        staging: off,
        production: {
          enabled: true,
          fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }], bucketBy: "tenantKey" } },
          allow: ["acme"],
          deny: ["globex"],
          rules: RICH_RULES,
        },
        qa: { enabled: true, fallthrough: { variant: "off" }, rules: RICH_RULES.slice(0, 1) },
      },
    },
    {
      key: "checkout_variant",
      name: "Checkout",
      moduleId: str.id,
      type: "string",
      variants: [
        { key: "control", value: "v1" },
        { key: "treatment", value: "v2" },
        { key: "holdout", value: "none" },
      ],
      offVariant: "holdout",
      onVariant: "treatment",
      dependsOn: ["fin_invoices"],
      states: {
        production: {
          enabled: true,
          fallthrough: { split: { allocations: [{ variant: "control", weight: 45_000 }, { variant: "treatment", weight: 45_000 }, { variant: "holdout", weight: 10_000 }] } },
          rules: [{ conditions: [{ attribute: "targetingKey", operator: "in_segment", values: ["vip"] }], serve: { variant: "treatment" } }] as typeof RICH_RULES,
        },
      },
    },
    { key: "max_items", name: "Max items", type: "number", variants: [{ key: "small", value: 10 }, { key: "large", value: 100.5 }], offVariant: "small", onVariant: "large", states: { staging: { enabled: true, fallthrough: { variant: "large" } } } },
    { key: "ui_config", name: "UI", type: "json", variants: [{ key: "a", value: { theme: "dark", cols: [1, 2] } }, { key: "b", value: null }], offVariant: "b", onVariant: "a", states: {} },
    { key: "old_flag", name: "Old", type: "boolean", variants: BOOLEAN, offVariant: "off", onVariant: "on", deprecatedAt: new Date("2026-01-01T00:00:00Z"), states: {} },
    { key: "gone_flag", name: "Gone", type: "boolean", variants: BOOLEAN, offVariant: "off", onVariant: "on", archivedAt: new Date("2026-02-01T00:00:00Z"), lifecycle: "temporary", states: {} },
  ];
  const flags = new Map<string, string>();
  for (const { states, ...spec } of specs) {
    const flag = await p.flag.create({ data: { ...spec, workspaceId, salt: `salt-${spec.key}` } });
    flags.set(spec.key, flag.id);
    for (const [envKey, environmentId] of envs) {
      const state: StateSpec = states[envKey] ?? { enabled: false, fallthrough: { variant: spec.offVariant } };
      const row = await p.flagState.create({
        data: { workspaceId, flagId: flag.id, environmentId, enabled: state.enabled, fallthrough: state.fallthrough, tenantAllow: state.allow ?? [], tenantDeny: state.deny ?? [] },
      });
      for (const [position, rule] of (state.rules ?? []).entries()) {
        await p.flagRule.create({ data: { workspaceId, flagStateId: row.id, position, name: rule.name ?? null, conditions: rule.conditions, serve: rule.serve } });
      }
    }
  }

  const production = envs.get("production")!;
  const staging = envs.get("staging")!;
  await p.tenantOverride.createMany({
    data: [
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, tenantId: tenants.get("acme")!, variant: "off", source: "workspace_admin", locked: true, expiresAt: FUTURE, updatedBy: "ada@example.test" },
      { workspaceId, flagId: flags.get("checkout_variant")!, environmentId: production, tenantId: tenants.get("globex")!, variant: "treatment", source: "tenant_admin" },
    ],
  });
  await p.userOverride.createMany({
    data: [
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, userKey: "u-2", variant: "on", expiresAt: FUTURE },
      { workspaceId, flagId: flags.get("max_items")!, environmentId: staging, userKey: "u-3", variant: "large" },
    ],
  });
  // Two override layers in a stored order (region ahead of platform), with an unlocked and a locked override.
  const platform = await p.overrideLayer.create({ data: { workspaceId, key: "platform", name: "Platform", attribute: "platform", values: ["meta", "tiktok", "snapchat"] } });
  const region = await p.overrideLayer.create({ data: { workspaceId, key: "region", name: "Region", description: "Where the user is", attribute: "geo.region", values: ["eu", "us"] } });
  await p.workspace.update({ where: { id: workspaceId }, data: { overrideOrder: ["user", "region", "platform", "tenant", "rules"] } });
  await p.layerOverride.createMany({
    data: [
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, layerId: platform.id, value: "tiktok", variant: "on", updatedBy: "ada@example.test" },
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, layerId: platform.id, value: "snapchat", variant: "off", locked: true, expiresAt: FUTURE },
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, layerId: region.id, value: "eu", variant: "off" },
    ],
  });
  await p.identity.createMany({
    data: [
      { workspaceId, environmentId: production, key: "u-1", traits: { stage: "active", emailVerified: true, actionsCount: 12, signupAt: "2026-01-05T10:00:00Z" } },
      { workspaceId, environmentId: staging, key: "u-2", traits: {} },
    ],
  });
  const ramp = randomUUID();
  await p.schedule.createMany({
    data: [
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: staging, runAt: SOON, action: { type: "enable" }, createdBy: "ada@example.test" },
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, runAt: SOON, action: { type: "set_rollout", percentage: 10 }, rampId: ramp },
      { workspaceId, flagId: flags.get("fin_invoices")!, environmentId: production, runAt: FUTURE, action: { type: "set_rollout", percentage: 50 }, rampId: ramp },
      { workspaceId, flagId: flags.get("max_items")!, environmentId: production, runAt: new Date("2026-01-01T00:00:00Z"), action: { type: "enable" }, status: "applied" },
    ],
  });
  const apiKey = generateApiKey("server");
  await p.apiKey.create({ data: { workspaceId, environmentId: production, kind: "server", name: "Backend", prefix: apiKey.prefix, secretHash: apiKey.hash } });

  const secrets = (await p.environment.findMany({ where: { workspaceId } })).map((env) => env.contextSecret);
  return { ws, apiKeySecret: apiKey.secret, apiKeyHash: apiKey.hash, contextSecrets: secrets, environments: [...envs.keys()] };
}
