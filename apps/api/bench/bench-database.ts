import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database } from "../src/infra/db/database";
import { runMigrations } from "../src/infra/db/migrate";
import { hashPassword } from "../src/modules/auth/passwords";
import { generateApiKey, generateSigningSecret } from "../src/modules/auth/secrets";

export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function urlOf(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of the bench's own; `drop()` removes it. */
export async function createBenchDatabase(): Promise<{ url: string; db: Database; drop(): Promise<void> }> {
  const name = `ensign_bench_${randomBytes(5).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = urlOf(name);
  // Seeding the large sizes runs statements of minutes.
  const db = await openDatabase({ url, dataDir: "memory://", poolSize: 4, queryTimeoutMs: 600_000 });
  await runMigrations(db.sql);
  return {
    url,
    db,
    async drop() {
      await db.close().catch(() => undefined);
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export interface SeedSize {
  flags: number;
  tenants: number;
  /** Tenant overrides per flag in each environment. */
  overridesPerFlag: number;
  identities: number;
}

/**
 * One workspace with three environments, `flags` boolean flags (each with two rules and a split
 * fallthrough in every environment), `tenants` tenants with attributes, a module switched off
 * for a tenth of them, tenant and user overrides, segments and identities. Written with
 * set-based SQL so seeding takes seconds.
 */
export async function seedWorkspace(db: Database, size: SeedSize) {
  const sql = db.sql;
  const slug = `bench-${randomBytes(3).toString("hex")}`;
  const [workspace] = await sql.query<{ id: string }>(`INSERT INTO workspaces (id, slug, name, updated_at) VALUES (gen_random_uuid(), $1, 'Bench', now()) RETURNING id`, [slug]);
  const ws = workspace!.id;
  const environments: { id: string; key: string; contextSecret: string }[] = [];
  for (const [order, key] of ["development", "staging", "production"].entries()) {
    const contextSecret = generateSigningSecret();
    const [env] = await sql.query<{ id: string }>(
      `INSERT INTO environments (id, workspace_id, key, name, sort_order, context_secret, updated_at) VALUES (gen_random_uuid(), $1, $2, $2, $3, $4, now()) RETURNING id`,
      [ws, key, order, contextSecret],
    );
    environments.push({ id: env!.id, key, contextSecret });
  }
  await sql.exec(`
    INSERT INTO modules (id, workspace_id, key, name, updated_at)
      SELECT gen_random_uuid(), '${ws}', 'MOD' || i, 'Module ' || i, now() FROM generate_series(1, 5) i;
    INSERT INTO tenants (id, workspace_id, key, name, attributes, updated_at)
      SELECT gen_random_uuid(), '${ws}', 'tenant-' || i, 'Tenant ' || i,
             json_build_object('plan', CASE WHEN i % 5 = 0 THEN 'pro' ELSE 'standard' END, 'region', CASE WHEN i % 3 = 0 THEN 'north' ELSE 'south' END, 'venues', i % 7),
             now()
      FROM generate_series(1, ${size.tenants}) i;
    INSERT INTO tenant_modules (id, workspace_id, tenant_id, module_id, enabled, updated_at)
      SELECT gen_random_uuid(), '${ws}', t.id, m.id, false, now()
      FROM tenants t JOIN modules m ON m.workspace_id = t.workspace_id AND m.key = 'MOD1'
      WHERE t.workspace_id = '${ws}' AND substring(t.key from 8)::int % 10 = 0;
    INSERT INTO flags (id, workspace_id, key, name, type, variants, off_variant, on_variant, salt, module_id, updated_at)
      SELECT gen_random_uuid(), '${ws}', 'flag_' || lpad(i::text, 5, '0'), 'Flag ' || i, 'boolean',
             '[{"key":"on","value":true},{"key":"off","value":false}]', 'off', 'on', md5(i::text),
             CASE WHEN i % 4 = 0 THEN (SELECT id FROM modules WHERE workspace_id = '${ws}' AND key = 'MOD' || (1 + i % 5)) END, now()
      FROM generate_series(1, ${size.flags}) i;
    INSERT INTO flag_states (id, workspace_id, flag_id, environment_id, enabled, fallthrough, tenant_allow, tenant_deny, updated_at)
      SELECT gen_random_uuid(), '${ws}', f.id, e.id, true,
             '{"split":{"allocations":[{"variant":"on","weight":30000},{"variant":"off","weight":70000}]}}',
             ARRAY['tenant-1', 'tenant-2'], ARRAY['tenant-3'], now()
      FROM flags f CROSS JOIN environments e WHERE f.workspace_id = '${ws}' AND e.workspace_id = '${ws}';
    INSERT INTO flag_rules (id, workspace_id, flag_state_id, position, name, conditions, serve, updated_at)
      SELECT gen_random_uuid(), '${ws}', s.id, p,
             'rule ' || p,
             CASE WHEN p = 0 THEN '[{"attribute":"tenant.plan","operator":"equals","values":["pro"]}]'::jsonb
                  ELSE '[{"attribute":"role","operator":"in","values":["owner","admin"]},{"attribute":"country","operator":"in","values":["US","CA","MX"]}]'::jsonb END,
             '{"variant":"on"}', now()
      FROM flag_states s CROSS JOIN generate_series(0, 1) p WHERE s.workspace_id = '${ws}';
    INSERT INTO tenant_overrides (id, workspace_id, flag_id, environment_id, tenant_id, variant, source, locked, updated_at)
      SELECT gen_random_uuid(), '${ws}', f.id, e.id, t.id, CASE WHEN n % 2 = 0 THEN 'on' ELSE 'off' END, 'workspace_admin', n % 3 = 0, now()
      FROM flags f CROSS JOIN environments e CROSS JOIN generate_series(1, ${size.overridesPerFlag}) n
      JOIN tenants t ON t.workspace_id = '${ws}' AND t.key = 'tenant-' || (1 + (abs(hashtext(f.key)) + n * 37) % ${size.tenants})
      WHERE f.workspace_id = '${ws}' AND e.workspace_id = '${ws}'
      ON CONFLICT DO NOTHING;
    INSERT INTO user_overrides (id, workspace_id, flag_id, environment_id, user_key, variant, updated_at)
      SELECT gen_random_uuid(), '${ws}', f.id, e.id, 'user-' || (abs(hashtext(f.key)) % 5000), 'on', now()
      FROM flags f CROSS JOIN environments e WHERE f.workspace_id = '${ws}' AND e.workspace_id = '${ws}';
    INSERT INTO segments (id, workspace_id, key, name, included_tenants, rules, updated_at)
      SELECT gen_random_uuid(), '${ws}', 'segment-' || i, 'Segment ' || i, ARRAY['tenant-' || i, 'tenant-' || (i + 1)],
             '[{"conditions":[{"attribute":"plan","operator":"equals","values":["pro"]}]}]', now()
      FROM generate_series(1, 10) i;
    INSERT INTO identities (id, workspace_id, environment_id, key, traits, updated_at)
      SELECT gen_random_uuid(), '${ws}', e.id, 'user-' || i, json_build_object('stage', 'onboarded', 'actionsCount', i % 50), now()
      FROM environments e CROSS JOIN generate_series(1, ${size.identities}) i WHERE e.workspace_id = '${ws}';
  `);
  // What autovacuum would do soon after such a load: fresh statistics for the planner.
  await sql.exec("ANALYZE");
  const production = environments[2]!;
  const keys: Record<"client" | "server", string> = { client: "", server: "" };
  for (const kind of ["client", "server"] as const) {
    const { secret, prefix, hash } = generateApiKey(kind);
    await sql.query(
      `INSERT INTO api_keys (id, workspace_id, environment_id, kind, name, prefix, secret_hash) VALUES (gen_random_uuid(), $1, $2, $3::"ApiKeyKind", $4, $5, $6)`,
      [ws, production.id, kind, `${kind} key`, prefix, hash],
    );
    keys[kind] = secret;
  }
  return { workspaceId: ws, slug, environments, production, keys };
}

/** An admin of the workspace who signs in with the returned email and password. */
export async function createBenchAdmin(db: Database, workspaceId: string): Promise<{ email: string; password: string }> {
  const password = randomBytes(12).toString("base64url");
  const email = `bench-admin-${randomBytes(3).toString("hex")}@example.test`;
  const [user] = await db.sql.query<{ id: string }>(`INSERT INTO users (id, email, name, password_hash, updated_at) VALUES (gen_random_uuid(), $1, 'Bench admin', $2, now()) RETURNING id`, [
    email,
    await hashPassword(password),
  ]);
  await db.sql.query(`INSERT INTO memberships (id, workspace_id, user_id, role, updated_at) VALUES (gen_random_uuid(), $1, $2, 'admin', now())`, [workspaceId, user!.id]);
  return { email, password };
}

/**
 * The environment the benches start the API with: production mode on the bench's own database
 * and Redis, quiet logs, no demo data or migrations, and a rate limit no bench reaches.
 */
export function benchApiEnvironment(options: { port: number; databaseUrl: string; redisUrl: string }): Record<string, string> {
  return {
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    JWT_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
    SEED_DEMO: "false",
    MIGRATE_ON_START: "false",
    EVAL_RATE_LIMIT: "10000000",
    ADMIN_DIST: "/nonexistent",
  };
}
