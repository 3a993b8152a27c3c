import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

/** Rows per INSERT: far below PostgreSQL's 65,535 bind parameters for every table here. */
const CHUNK = 500;

async function chunked<T, R>(rows: T[], insert: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(...(await insert(rows.slice(i, i + CHUNK))));
  return out;
}

async function counted<T>(rows: T[], insert: (chunk: T[]) => Promise<{ count: number }>): Promise<number> {
  let total = 0;
  for (let i = 0; i < rows.length; i += CHUNK) total += (await insert(rows.slice(i, i + CHUNK))).count;
  return total;
}

/** Bulk writes of an import, all in the caller's transaction; ids are made new. */
export const importRepository = {
  environments(tx: Tx, workspaceId: string) {
    return tx.environment.findMany({ where: { workspaceId }, select: { id: true, key: true } });
  },

  updateEnvironment(tx: Tx, workspaceId: string, id: string, data: Omit<Prisma.EnvironmentUpdateManyMutationInput, "contextSecret">) {
    return tx.environment.updateMany({ where: { workspaceId, id }, data: { ...data, version: { increment: 1 } } });
  },

  createEnvironment(tx: Tx, data: Prisma.EnvironmentCreateManyInput) {
    return tx.environment.create({ data, select: { id: true, key: true } });
  },

  modules: (tx: Tx, rows: Prisma.ModuleCreateManyInput[]) =>
    chunked(rows, (data) => tx.module.createManyAndReturn({ data, select: { id: true, key: true } })),

  flags: (tx: Tx, rows: Prisma.FlagCreateManyInput[]) =>
    chunked(rows, (data) => tx.flag.createManyAndReturn({ data, select: { id: true, key: true } })),

  flagStates: (tx: Tx, rows: Prisma.FlagStateCreateManyInput[]) =>
    chunked(rows, (data) => tx.flagState.createManyAndReturn({ data, select: { id: true, flagId: true, environmentId: true } })),

  rules: (tx: Tx, rows: Prisma.FlagRuleCreateManyInput[]) => counted(rows, (data) => tx.flagRule.createMany({ data })),

  schedules: (tx: Tx, rows: Prisma.ScheduleCreateManyInput[]) => counted(rows, (data) => tx.schedule.createMany({ data })),

  segments: (tx: Tx, rows: Prisma.SegmentCreateManyInput[]) => counted(rows, (data) => tx.segment.createMany({ data })),

  tenants: (tx: Tx, rows: Prisma.TenantCreateManyInput[]) =>
    chunked(rows, (data) => tx.tenant.createManyAndReturn({ data, select: { id: true, key: true } })),

  tenantModules: (tx: Tx, rows: Prisma.TenantModuleCreateManyInput[]) => counted(rows, (data) => tx.tenantModule.createMany({ data })),

  tenantOverrides: (tx: Tx, rows: Prisma.TenantOverrideCreateManyInput[]) => counted(rows, (data) => tx.tenantOverride.createMany({ data })),

  userOverrides: (tx: Tx, rows: Prisma.UserOverrideCreateManyInput[]) => counted(rows, (data) => tx.userOverride.createMany({ data })),

  identities: (tx: Tx, rows: Prisma.IdentityCreateManyInput[]) => counted(rows, (data) => tx.identity.createMany({ data })),

  /** One at a time, in the document's order: the default override order follows creation. */
  async overrideLayers(tx: Tx, rows: Prisma.OverrideLayerCreateManyInput[]) {
    const out: { id: string; key: string }[] = [];
    for (const data of rows) out.push(await tx.overrideLayer.create({ data, select: { id: true, key: true } }));
    return out;
  },

  overrideOrder: (tx: Tx, workspaceId: string, order: string[]) => tx.workspace.update({ where: { id: workspaceId }, data: { overrideOrder: order }, select: { id: true } }),

  layerOverrides: (tx: Tx, rows: Prisma.LayerOverrideCreateManyInput[]) => counted(rows, (data) => tx.layerOverride.createMany({ data })),
};
