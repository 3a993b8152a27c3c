import type { Serve, Rule, Variant } from "@ensign/contracts/targeting";
import type { FastifyInstance } from "fastify";
import { randomBytes } from "node:crypto";
import { bumpEnvironments } from "../../src/infra/changes";
import type { Database } from "../../src/infra/db/database";
import { inWorkspace } from "../../src/infra/db/scoped";
import { generateApiKey } from "../../src/modules/auth/secrets";

export const BOOLEAN_VARIANTS: Variant[] = [
  { key: "on", value: true },
  { key: "off", value: false },
];

export interface FlagSpec {
  key: string;
  type?: "boolean" | "string" | "number" | "json";
  variants?: Variant[];
  offVariant?: string;
  onVariant?: string;
  module?: string | null;
  dependsOn?: string[];
  archived?: boolean;
  /** State per environment id; environments left out have no state row (the flag is off there). */
  states?: Record<string, { enabled: boolean; fallthrough?: Serve; rules?: Omit<Rule, "id">[]; tenantAllow?: string[]; tenantDeny?: string[] }>;
}

/** Writes a flag with its states and rules as the owner connection (no audit, no version bump). */
export async function createFlag(db: Database, workspaceId: string, spec: FlagSpec) {
  const variants = spec.variants ?? BOOLEAN_VARIANTS;
  let moduleId: string | null = null;
  if (spec.module) {
    const module = await db.prisma.module.upsert({
      where: { workspaceId_key: { workspaceId, key: spec.module } },
      create: { workspaceId, key: spec.module, name: spec.module },
      update: {},
    });
    moduleId = module.id;
  }
  const flag = await db.prisma.flag.create({
    data: {
      workspaceId,
      key: spec.key,
      name: spec.key,
      type: spec.type ?? "boolean",
      variants,
      offVariant: spec.offVariant ?? variants[variants.length - 1]!.key,
      onVariant: spec.onVariant ?? variants[0]!.key,
      salt: randomBytes(4).toString("hex"),
      moduleId,
      dependsOn: spec.dependsOn ?? [],
      archivedAt: spec.archived ? new Date() : null,
    },
  });
  for (const [environmentId, state] of Object.entries(spec.states ?? {})) {
    const row = await db.prisma.flagState.create({
      data: {
        workspaceId,
        flagId: flag.id,
        environmentId,
        enabled: state.enabled,
        fallthrough: state.fallthrough ?? { variant: variants[0]!.key },
        tenantAllow: state.tenantAllow ?? [],
        tenantDeny: state.tenantDeny ?? [],
      },
    });
    for (const [position, rule] of (state.rules ?? []).entries()) {
      await db.prisma.flagRule.create({
        data: { workspaceId, flagStateId: row.id, position, name: rule.name ?? null, conditions: rule.conditions, serve: rule.serve },
      });
    }
  }
  return flag;
}

export async function createApiKey(db: Database, workspaceId: string, environmentId: string, kind: "server" | "client") {
  const { secret, prefix, hash } = generateApiKey(kind);
  const row = await db.prisma.apiKey.create({ data: { workspaceId, environmentId, kind, name: `${kind} key`, prefix, secretHash: hash } });
  return { secret, id: row.id, hash };
}

export async function createTenant(db: Database, workspaceId: string, key: string, attributes: Record<string, unknown> = {}) {
  return db.prisma.tenant.create({ data: { workspaceId, key, name: key, attributes: attributes as object } });
}

/** What every admin write does after its change: bump the versions in a transaction, then publish. */
export async function publishChange(app: FastifyInstance, db: Database, workspaceId: string, environmentIds?: string[]) {
  const changes = await inWorkspace(db.prisma, workspaceId, (tx) => bumpEnvironments(tx, workspaceId, environmentIds));
  await app.services.notifier.published(changes);
  return changes;
}

/** When the last `toggleFlag` committed (performance.now()), for latency measurements. */
export let lastCommitAt = 0;

/** Sets a flag's `enabled` in one environment and publishes the change, as the flags routes do. */
export async function toggleFlag(app: FastifyInstance, db: Database, workspaceId: string, environmentId: string, flagKey: string, enabled: boolean) {
  const changes = await inWorkspace(db.prisma, workspaceId, async (tx) => {
    const flag = await tx.flag.findFirstOrThrow({ where: { workspaceId, key: flagKey } });
    await tx.flagState.update({ where: { flagId_environmentId: { flagId: flag.id, environmentId } }, data: { enabled, version: { increment: 1 } } });
    return bumpEnvironments(tx, workspaceId, [environmentId]);
  });
  lastCommitAt = performance.now();
  await app.services.notifier.published(changes);
  return changes[0]!.version;
}

export const apiKeyHeaders = (secret: string) => ({ "x-api-key": secret });
