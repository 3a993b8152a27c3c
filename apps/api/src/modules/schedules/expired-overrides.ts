import { SYSTEM_ACTOR, type AuditRecord } from "../../infra/audit";
import { enterWorkspace, type Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";

/** Overrides swept per transaction; one workspace at a time. */
const BATCH = 500;

interface ExpiredRow {
  id: string;
  workspace_id: string;
  environment_id: string;
  environment_key: string;
  flag_id: string;
  flag_key: string;
  subject_id: string | null;
  subject_key: string;
  variant: string;
  expires_at: Date;
  locked: boolean | null;
  source: string | null;
}

/**
 * Claims a batch of one workspace's expired tenant overrides, skipping rows another runner holds
 * (so each is deleted and audited exactly once). Runs as the owner connection, across workspaces.
 */
async function claimTenantOverrides(tx: Tx, now: Date): Promise<ExpiredRow[]> {
  const [first] = await tx.$queryRaw<{ workspace_id: string }[]>`
    SELECT workspace_id FROM tenant_overrides WHERE expires_at <= ${now} ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (!first) return [];
  return tx.$queryRaw<ExpiredRow[]>`
    SELECT o.id, o.workspace_id, o.environment_id, e.key AS environment_key, o.flag_id, f.key AS flag_key,
           o.tenant_id AS subject_id, t.key AS subject_key, o.variant, o.expires_at, o.locked, o.source::text AS source
    FROM tenant_overrides o
    JOIN flags f ON f.id = o.flag_id JOIN environments e ON e.id = o.environment_id JOIN tenants t ON t.id = o.tenant_id
    WHERE o.workspace_id = ${first.workspace_id}::uuid AND o.expires_at <= ${now}
    ORDER BY o.expires_at LIMIT ${BATCH}
    FOR UPDATE OF o SKIP LOCKED`;
}

async function claimUserOverrides(tx: Tx, now: Date): Promise<ExpiredRow[]> {
  const [first] = await tx.$queryRaw<{ workspace_id: string }[]>`
    SELECT workspace_id FROM user_overrides WHERE expires_at <= ${now} ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (!first) return [];
  return tx.$queryRaw<ExpiredRow[]>`
    SELECT o.id, o.workspace_id, o.environment_id, e.key AS environment_key, o.flag_id, f.key AS flag_key,
           NULL::text AS subject_id, o.user_key AS subject_key, o.variant, o.expires_at, NULL::boolean AS locked, NULL::text AS source
    FROM user_overrides o
    JOIN flags f ON f.id = o.flag_id JOIN environments e ON e.id = o.environment_id
    WHERE o.workspace_id = ${first.workspace_id}::uuid AND o.expires_at <= ${now}
    ORDER BY o.expires_at LIMIT ${BATCH}
    FOR UPDATE OF o SKIP LOCKED`;
}

async function claimLayerOverrides(tx: Tx, now: Date): Promise<ExpiredRow[]> {
  const [first] = await tx.$queryRaw<{ workspace_id: string }[]>`
    SELECT workspace_id FROM layer_overrides WHERE expires_at <= ${now} ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (!first) return [];
  return tx.$queryRaw<ExpiredRow[]>`
    SELECT o.id, o.workspace_id, o.environment_id, e.key AS environment_key, o.flag_id, f.key AS flag_key,
           l.key AS subject_id, o.value AS subject_key, o.variant, o.expires_at, o.locked, NULL::text AS source
    FROM layer_overrides o
    JOIN flags f ON f.id = o.flag_id JOIN environments e ON e.id = o.environment_id JOIN override_layers l ON l.id = o.layer_id
    WHERE o.workspace_id = ${first.workspace_id}::uuid AND o.expires_at <= ${now}
    ORDER BY o.expires_at LIMIT ${BATCH}
    FOR UPDATE OF o SKIP LOCKED`;
}

const KINDS = {
  tenant: {
    claim: claimTenantOverrides,
    remove: (tx: Tx, workspaceId: string, ids: string[]) => tx.tenantOverride.deleteMany({ where: { workspaceId, id: { in: ids } } }),
    audit: (row: ExpiredRow): AuditRecord => ({
      workspaceId: row.workspace_id,
      environment: { id: row.environment_id, key: row.environment_key },
      tenant: { id: row.subject_id!, key: row.subject_key },
      action: "tenant_override.expired",
      targetType: "tenant_override",
      targetId: row.id,
      targetKey: row.flag_key,
      // As the overrides module records an override, so the two read alike in the log.
      before: { variant: row.variant, locked: row.locked, source: row.source, expiresAt: row.expires_at.toISOString() },
    }),
  },
  user: {
    claim: claimUserOverrides,
    remove: (tx: Tx, workspaceId: string, ids: string[]) => tx.userOverride.deleteMany({ where: { workspaceId, id: { in: ids } } }),
    audit: (row: ExpiredRow): AuditRecord => ({
      workspaceId: row.workspace_id,
      environment: { id: row.environment_id, key: row.environment_key },
      action: "user_override.expired",
      targetType: "user_override",
      targetId: row.id,
      targetKey: row.flag_key,
      before: { userKey: row.subject_key, variant: row.variant, expiresAt: row.expires_at.toISOString() },
    }),
  },
  layer: {
    claim: claimLayerOverrides,
    remove: (tx: Tx, workspaceId: string, ids: string[]) => tx.layerOverride.deleteMany({ where: { workspaceId, id: { in: ids } } }),
    audit: (row: ExpiredRow): AuditRecord => ({
      workspaceId: row.workspace_id,
      environment: { id: row.environment_id, key: row.environment_key },
      action: "layer_override.expired",
      targetType: "layer_override",
      targetId: row.id,
      targetKey: row.flag_key,
      // subject_id carries the layer's key here: as the layers module records an override.
      before: { layer: row.subject_id, value: row.subject_key, variant: row.variant, locked: row.locked, expiresAt: row.expires_at.toISOString() },
    }),
  },
} as const;

/**
 * Deletes one batch of expired overrides of one kind in one workspace, with an audit entry as
 * `system` for each and a snapshot bump of their environments, in one write.
 * Returns how many it swept.
 */
export async function sweepExpiredBatch(writing: Writer, kind: keyof typeof KINDS, now: Date): Promise<number> {
  const { claim, remove, audit } = KINDS[kind];
  return writing.asOwner(async (tx, open) => {
    const rows = await claim(tx, now);
    if (rows.length === 0) return 0;
    const workspaceId = rows[0]!.workspace_id;
    await enterWorkspace(tx, workspaceId);
    const w = open(workspaceId);
    await remove(tx, workspaceId, rows.map((row) => row.id));
    await w.audit(SYSTEM_ACTOR, ...rows.map(audit));
    await w.bump([...new Set(rows.map((row) => row.environment_id))]);
    return rows.length;
  });
}
