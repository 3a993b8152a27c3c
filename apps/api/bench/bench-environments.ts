import { randomBytes } from "node:crypto";
import type { Database } from "../src/infra/db/database";
import { generateApiKey } from "../src/modules/auth/secrets";

const PER_WORKSPACE = 10;

/**
 * Many small environments: `environments` of them (rounded up to whole workspaces), ten per workspace, each workspace with
 * `flags` boolean flags (a rule and a split in every environment) and ten tenants, and one
 * server key per environment. Set-based SQL, so thousands of environments seed in seconds.
 */
export async function seedEnvironments(db: Database, size: { environments: number; flags: number }): Promise<{ id: string; serverKey: string }[]> {
  const sql = db.sql;
  const workspaces = Math.ceil(size.environments / PER_WORKSPACE);
  const tag = randomBytes(3).toString("hex");
  await sql.exec(`
    INSERT INTO workspaces (id, slug, name, updated_at)
      SELECT gen_random_uuid(), 'bench-${tag}-' || w, 'Bench ' || w, now() FROM generate_series(1, ${workspaces}) w;
    INSERT INTO environments (id, workspace_id, key, name, sort_order, context_secret, updated_at)
      SELECT gen_random_uuid(), ws.id, 'env-' || e, 'env ' || e, e, md5(random()::text) || md5(random()::text), now()
      FROM workspaces ws CROSS JOIN generate_series(1, ${PER_WORKSPACE}) e
      WHERE ws.slug LIKE 'bench-${tag}-%';
    INSERT INTO tenants (id, workspace_id, key, name, attributes, updated_at)
      SELECT gen_random_uuid(), ws.id, 'tenant-' || i, 'Tenant ' || i, json_build_object('plan', CASE WHEN i % 5 = 0 THEN 'pro' ELSE 'standard' END), now()
      FROM workspaces ws CROSS JOIN generate_series(1, 10) i WHERE ws.slug LIKE 'bench-${tag}-%';
    INSERT INTO flags (id, workspace_id, key, name, type, variants, off_variant, on_variant, salt, updated_at)
      SELECT gen_random_uuid(), ws.id, 'flag_' || lpad(i::text, 5, '0'), 'Flag ' || i, 'boolean',
             '[{"key":"on","value":true},{"key":"off","value":false}]', 'off', 'on', md5(ws.id::text || i), now()
      FROM workspaces ws CROSS JOIN generate_series(1, ${size.flags}) i WHERE ws.slug LIKE 'bench-${tag}-%';
    INSERT INTO flag_states (id, workspace_id, flag_id, environment_id, enabled, fallthrough, updated_at)
      SELECT gen_random_uuid(), f.workspace_id, f.id, e.id, true,
             '{"split":{"allocations":[{"variant":"on","weight":30000},{"variant":"off","weight":70000}]}}', now()
      FROM flags f JOIN environments e ON e.workspace_id = f.workspace_id JOIN workspaces ws ON ws.id = f.workspace_id
      WHERE ws.slug LIKE 'bench-${tag}-%';
    INSERT INTO flag_rules (id, workspace_id, flag_state_id, position, name, conditions, serve, updated_at)
      SELECT gen_random_uuid(), s.workspace_id, s.id, 0, 'pro plans',
             '[{"attribute":"tenant.plan","operator":"equals","values":["pro"]}]', '{"variant":"on"}', now()
      FROM flag_states s JOIN workspaces ws ON ws.id = s.workspace_id WHERE ws.slug LIKE 'bench-${tag}-%';
  `);
  await sql.exec("ANALYZE");
  const rows = await sql.query<{ id: string; workspace_id: string }>(
    `SELECT e.id, e.workspace_id FROM environments e JOIN workspaces ws ON ws.id = e.workspace_id WHERE ws.slug LIKE $1 ORDER BY ws.slug, e.sort_order`,
    [`bench-${tag}-%`],
  );
  const keys = rows.map(() => generateApiKey("server"));
  await sql.query(
    `INSERT INTO api_keys (id, workspace_id, environment_id, kind, name, prefix, secret_hash)
     SELECT gen_random_uuid(), w, e, 'server'::"ApiKeyKind", 'bench', p, h FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS k(w, e, p, h)`,
    [rows.map((r) => r.workspace_id), rows.map((r) => r.id), keys.map((k) => k.prefix), keys.map((k) => k.hash)],
  );
  // Whole workspaces were made: the first `environments` of them are the bench's.
  return rows.slice(0, size.environments).map((row, i) => ({ id: row.id, serverKey: keys[i]!.secret }));
}
