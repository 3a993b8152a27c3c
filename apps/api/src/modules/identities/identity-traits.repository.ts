import type { SqlRunner } from "../../infra/db/sql-runner";

/**
 * The evaluation path's read of one identity's traits. System work on the owner connection,
 * like the snapshot load: the environment comes from a verified API key, and the statement is
 * one indexed lookup (`identities (environment_id, key)` is unique).
 */
export const identityTraitsRepository = {
  /** The identity's traits, or null when the environment has no identity with this key. */
  async find(sql: SqlRunner, environmentId: string, key: string): Promise<Record<string, unknown> | null> {
    const [row] = await sql.query<{ traits: unknown }>("SELECT traits FROM identities WHERE environment_id = $1::uuid AND key = $2", [environmentId, key]);
    if (!row) return null;
    const traits = row.traits;
    return traits && typeof traits === "object" && !Array.isArray(traits) ? (traits as Record<string, unknown>) : {};
  },
};
