import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { compile, evaluateAll } from "@ensign/evaluator";
import type { Database } from "../../src/infra/db/database";
import { buildSnapshot } from "../../src/modules/snapshots/snapshot-builder";
import { snapshotsRepository } from "../../src/modules/snapshots/snapshots.repository";

/** The stored `EnvironmentSnapshot` of one environment, as the evaluation service builds it from PostgreSQL. */
export async function snapshotFromDb(db: Database, workspaceId: string, environmentKey: string): Promise<EnvironmentSnapshot> {
  const env = await db.prisma.environment.findUniqueOrThrow({ where: { workspaceId_key: { workspaceId, key: environmentKey } }, select: { id: true } });
  const rows = await snapshotsRepository.load(db.sql, env.id);
  if (!rows) throw new Error(`no snapshot rows for ${environmentKey}`);
  return buildSnapshot(rows);
}

/** A snapshot without what differs between two stores of the same content: ids, versions of the whole, times, workspace. */
export function comparable(snapshot: EnvironmentSnapshot) {
  const { version: _v, generatedAt: _g, workspace: _w, ...rest } = snapshot;
  return {
    ...rest,
    flags: rest.flags.map((flag) => ({ ...flag, state: { ...flag.state, rules: flag.state.rules.map(({ id: _id, ...rule }) => rule) } })),
  };
}

/**
 * Every flag's evaluation for every context, with rule ids replaced by the rule's position in
 * its flag (ids are new after an import; which rule decided must not be).
 */
export function evaluationsOf(snapshot: EnvironmentSnapshot, contexts: Record<string, unknown>[], now: number) {
  const position = new Map(snapshot.flags.flatMap((flag) => flag.state.rules.map((rule, index) => [rule.id, `${flag.key}#${index}`] as const)));
  const compiled = compile(snapshot);
  return contexts.flatMap((context) =>
    evaluateAll(compiled, context, { now }).map(({ ruleId, detail, ...result }) => ({
      context: context.targetingKey,
      ...result,
      ...(ruleId ? { rule: position.get(ruleId) } : {}),
      detail: ruleId ? detail.replace(ruleId, position.get(ruleId) ?? "?") : detail,
    })),
  );
}
