/**
 * Loads a workspace at the size the admin lists must stay fast at: 1,000 flags with their state
 * in 3 environments (some enabled, some split, some with rules, allow/deny lists), 1,000 (or
 * `--tenants` 10,000) tenants with a module switched off for a tenth of them, and tenant and
 * user overrides (about 125,000, spread over all tenants).
 *
 *   DATABASE_URL=postgresql://... pnpm exec tsx apps/api/scripts/seed-large.ts [--slug large] [--tenants 10000]
 *
 * The database must be migrated. Rows are written as the owner connection, in bulk.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Prisma, PrismaClient } from "../src/generated/prisma/client";

export interface LargeSeedOptions {
  slug?: string;
  flags?: number;
  tenants?: number;
}

export interface LargeSeed {
  workspaceId: string;
  slug: string;
  counts: Record<string, number>;
}

const MODULES = ["FIN", "STR", "TENADMIN", "ADS", "CORE"];
const TAGS = ["ui", "backend", "pricing", "reporting", "mobile", "experiment", "ops", "beta-program"];
const WORDS = ["dashboard", "export", "pricing", "invoices", "search", "assistant", "analytics", "checkout", "calendar", "reports"];
const CHUNK = 4_000;

const pad = (n: number) => String(n).padStart(4, "0");
/** `tenant-0001` ... `tenant-1000` ... `tenant-10000`. */
const tenantKey = (n: number) => `tenant-${pad(n)}`;
const onOff = [
  { key: "on", value: true, name: "On" },
  { key: "off", value: false, name: "Off" },
];

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
  return rows.length;
}

/** The state of flag `i` in environment `e`: a deterministic mix of every shape the list shows. */
function stateOf(i: number, e: number, tenantCount: number): { enabled: boolean; fallthrough: Prisma.InputJsonValue; tenantAllow: string[]; tenantDeny: string[] } {
  const shape = (i + e * 7) % 10;
  const tenant = (n: number) => tenantKey(((i * 13 + n) % tenantCount) + 1);
  switch (shape) {
    case 0:
    case 1:
    case 2:
      return { enabled: false, fallthrough: { variant: "off" }, tenantAllow: [], tenantDeny: [] };
    case 3:
    case 4:
      return { enabled: true, fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [] };
    case 5:
      return { enabled: true, fallthrough: { split: { allocations: [{ variant: "on", weight: ((i % 9) + 1) * 10_000 }, { variant: "off", weight: 100_000 - ((i % 9) + 1) * 10_000 }] } }, tenantAllow: [], tenantDeny: [] };
    case 6:
      return { enabled: true, fallthrough: { variant: "off" }, tenantAllow: [tenant(1), tenant(2), tenant(3)], tenantDeny: [] };
    case 7:
      return { enabled: true, fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [tenant(4)] };
    default:
      return { enabled: true, fallthrough: { variant: "off" }, tenantAllow: [], tenantDeny: [] };
  }
}

interface TenantOverrideRow {
  flagId: string;
  environmentId: string;
  tenantId: string;
  variant: string;
  source: "workspace_admin" | "tenant_admin";
  locked: boolean;
  expiresAt: Date | null;
}

/** The ~120,000 tenant overrides, 20,000 to a statement: arrays in, one INSERT ... SELECT FROM unnest each. */
async function insertTenantOverrides(prisma: PrismaClient, workspaceId: string, rows: TenantOverrideRow[]): Promise<number> {
  for (let i = 0; i < rows.length; i += 20_000) {
    const chunk = rows.slice(i, i + 20_000);
    const column = <T>(pick: (row: TenantOverrideRow) => T) => chunk.map(pick);
    await prisma.$executeRaw`
      INSERT INTO tenant_overrides (id, workspace_id, flag_id, environment_id, tenant_id, variant, source, locked, expires_at, updated_at)
      SELECT gen_random_uuid(), ${workspaceId}::uuid, r.flag_id, r.environment_id, r.tenant_id, r.variant, r.source::"OverrideSource", r.locked, r.expires_at, now()
        FROM unnest(${column((r) => r.flagId)}::uuid[], ${column((r) => r.environmentId)}::uuid[], ${column((r) => r.tenantId)}::uuid[],
                    ${column((r) => r.variant)}::text[], ${column((r) => r.source)}::text[], ${column((r) => r.locked)}::boolean[],
                    ${column((r) => r.expiresAt?.toISOString() ?? null)}::timestamptz[])
          AS r(flag_id, environment_id, tenant_id, variant, source, locked, expires_at)`;
  }
  return rows.length;
}

export async function seedLarge(prisma: PrismaClient, options: LargeSeedOptions = {}): Promise<LargeSeed> {
  const slug = options.slug ?? "large";
  const flagCount = options.flags ?? 1_000;
  const tenantCount = options.tenants ?? 1_000;
  const counts: Record<string, number> = {};

  const workspace = await prisma.workspace.create({ data: { slug, name: `Large (${flagCount} flags)` } });
  const workspaceId = workspace.id;
  const environments = await prisma.environment.createManyAndReturn({
    data: ["development", "staging", "production"].map((key, sortOrder) => ({ workspaceId, key, name: key, sortOrder, contextSecret: randomBytes(32).toString("base64url") })),
    select: { id: true, key: true, sortOrder: true },
  });
  environments.sort((a, b) => a.sortOrder - b.sortOrder);
  const modules = await prisma.module.createManyAndReturn({ data: MODULES.map((key) => ({ workspaceId, key, name: key })), select: { id: true, key: true } });
  counts.segments = (await prisma.segment.createMany({ data: Array.from({ length: 10 }, (_, s) => ({ workspaceId, key: `segment-${s}`, name: `Segment ${s}`, includedTenants: [tenantKey(s + 1)] })) })).count;

  counts.tenants = await inChunks(
    Array.from({ length: tenantCount }, (_, t) => ({ workspaceId, key: tenantKey(t + 1), name: `Tenant ${t + 1}`, attributes: { plan: ["free", "standard", "pro"][t % 3]!, region: t % 2 ? "eu" : "us" } })),
    (chunk) => prisma.tenant.createMany({ data: chunk }),
  );
  const tenants = await prisma.tenant.findMany({ where: { workspaceId }, select: { id: true }, orderBy: { key: "asc" } });
  // Module FIN switched off for every tenth tenant.
  counts.tenantModules = await inChunks(
    tenants.filter((_, t) => t % 10 === 0).map((tenant) => ({ workspaceId, tenantId: tenant.id, moduleId: modules.find((m) => m.key === "FIN")!.id, enabled: false })),
    (chunk) => prisma.tenantModule.createMany({ data: chunk }),
  );

  const now = Date.now();
  const flagRows: Prisma.FlagCreateManyInput[] = Array.from({ length: flagCount }, (_, i) => {
    const kind = i % 20;
    const type = kind === 1 ? "string" : kind === 2 ? "number" : kind === 3 ? "json" : "boolean";
    const variants =
      type === "string" ? [{ key: "off", value: "classic" }, { key: "on", value: "modern" }]
      : type === "number" ? [{ key: "off", value: 0 }, { key: "on", value: 50 }]
      : type === "json" ? [{ key: "off", value: { limit: 10 } }, { key: "on", value: { limit: 100 } }]
      : onOff;
    return {
      workspaceId,
      key: `feature-${pad(i + 1)}`,
      name: `${WORDS[i % WORDS.length]} ${i + 1}`,
      description: `Benchmark flag ${i + 1}`,
      moduleId: i % 5 === 4 ? null : modules[i % modules.length]!.id,
      type,
      variants,
      offVariant: "off",
      onVariant: "on",
      salt: randomBytes(6).toString("base64url"),
      tags: [TAGS[i % TAGS.length]!, ...(i % 3 === 0 ? [TAGS[(i + 3) % TAGS.length]!] : [])],
      isBeta: i % 10 === 0,
      dependsOn: i % 50 === 49 ? [`feature-${pad(i)}`] : [],
      lifecycle: i % 4 === 0 ? "permanent" : "temporary",
      deprecatedAt: i % 33 === 32 ? new Date(now) : null,
      archivedAt: i % 50 === 25 ? new Date(now) : null,
      createdAt: new Date(now - (flagCount - i) * 60_000),
      updatedAt: new Date(now - ((i * 7919) % flagCount) * 60_000),
    };
  });
  counts.flags = await inChunks(flagRows, (chunk) => prisma.flag.createMany({ data: chunk }));
  const flags = await prisma.flag.findMany({ where: { workspaceId }, select: { id: true, key: true }, orderBy: { key: "asc" } });

  const states = flags.flatMap((flag, i) => environments.map((env, e) => ({ workspaceId, flagId: flag.id, environmentId: env.id, ...stateOf(i, e, tenantCount) })));
  counts.flagStates = await inChunks(states, (chunk) => prisma.flagState.createMany({ data: chunk }));
  const stateRows = await prisma.flagState.findMany({ where: { workspaceId }, select: { id: true, flagId: true, environmentId: true } });

  const rules: Prisma.FlagRuleCreateManyInput[] = [];
  stateRows.forEach((state, n) => {
    if (n % 3 !== 0) return;
    for (let position = 0; position < (n % 4) + 1; position++) {
      rules.push({
        workspaceId,
        flagStateId: state.id,
        position,
        name: `Rule ${position + 1}`,
        conditions: position % 2 ? [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }] : [{ attribute: "plan", operator: "in_segment", values: [`segment-${n % 10}`] }],
        serve: { variant: "on" },
      });
    }
  });
  counts.rules = await inChunks(rules, (chunk) => prisma.flagRule.createMany({ data: chunk }));

  // Tenant overrides: every 5th flag in production for 100-1,000 tenants, every 10th in staging
  // for 100; with more than 1,000 tenants a flag's overridden tenants are spread over them all.
  const stride = Math.max(1, Math.floor(tenants.length / 1_000));
  const overrides: TenantOverrideRow[] = [];
  flags.forEach((flag, i) => {
    const plan: [number, number][] = [];
    if (i % 5 === 0) plan.push([2, 100 + ((i * 37) % 901)]);
    if (i % 10 === 0) plan.push([1, 100]);
    for (const [e, howMany] of plan) {
      for (let t = 0; t < howMany; t++) {
        overrides.push({
          flagId: flag.id,
          environmentId: environments[e]!.id,
          tenantId: tenants[((i + t) * stride + (i % stride)) % tenants.length]!.id,
          variant: t % 3 ? "on" : "off",
          source: t % 4 ? "workspace_admin" : "tenant_admin",
          locked: t % 10 === 0,
          expiresAt: t % 25 === 0 ? new Date(now + ((t % 50) - 25) * 86_400_000) : null,
        });
      }
    }
  });
  counts.tenantOverrides = await insertTenantOverrides(prisma, workspaceId, overrides);

  const userOverrides = flags.flatMap((flag, i) =>
    i % 10 === 3 ? Array.from({ length: 20 }, (_, u) => ({ workspaceId, flagId: flag.id, environmentId: environments[2]!.id, userKey: `user-${u}`, variant: "on" })) : [],
  );
  counts.userOverrides = await inChunks(userOverrides, (chunk) => prisma.userOverride.createMany({ data: chunk }));
  return { workspaceId, slug, counts };
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("Set DATABASE_URL to a migrated PostgreSQL database.");
    process.exit(1);
  }
  const slugArg = process.argv.indexOf("--slug");
  const tenantsArg = process.argv.indexOf("--tenants");
  const { openDatabase } = await import("../src/infra/db/database");
  const db = await openDatabase({ url, dataDir: "memory://" });
  try {
    const started = performance.now();
    const seed = await seedLarge(db.prisma, {
      slug: slugArg > 0 ? process.argv[slugArg + 1] : undefined,
      tenants: tenantsArg > 0 ? Number(process.argv[tenantsArg + 1]) : undefined,
    });
    await db.sql.exec("ANALYZE");
    console.log(`Seeded workspace '${seed.slug}' in ${((performance.now() - started) / 1000).toFixed(1)} s:`, seed.counts);
  } finally {
    await db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
