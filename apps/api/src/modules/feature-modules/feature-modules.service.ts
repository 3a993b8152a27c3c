import type { Page } from "@ensign/contracts/common";
import type { CreateModuleBody, ListModulesQuery, ModuleResponse, UpdateModuleBody } from "@ensign/contracts/modules";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { iso, pageFrom } from "../../infra/paging";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import type { ModuleRow, ModulesRepository } from "./feature-modules.repository";

export function toModuleResponse(row: ModuleRow): ModuleResponse {
  const { _count, ...rest } = row;
  return { ...rest, flagCount: _count.flags, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

const audited = (row: ModuleRow) => ({ key: row.key, name: row.name, description: row.description, keyPrefix: row.keyPrefix, tenantManageable: row.tenantManageable });
const target = (row: ModuleRow) => ({ targetType: "module", targetId: row.id, targetKey: row.key });

export interface ModulesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: ModulesRepository;
}

export function createModulesService({ reading, writing, repo }: ModulesServiceDeps) {
  async function requireModule(tx: Tx, workspaceId: string, key: string) {
    const row = await repo.findByKey(tx, workspaceId, key);
    if (!row) throw notFound(`Module '${key}'`);
    return row;
  }

  return {
    async list(workspaceId: string, query: ListModulesQuery): Promise<Page<ModuleResponse>> {
      const { rows, total } = await reading(workspaceId, (tx) => repo.list(tx, workspaceId, query));
      return pageFrom(rows.map(toModuleResponse), total, query);
    },

    async get(workspaceId: string, key: string): Promise<ModuleResponse> {
      return toModuleResponse(await reading(workspaceId, (tx) => requireModule(tx, workspaceId, key)));
    },

    /** A new module has no flags and no tenant switches: evaluation does not change. */
    async create(workspaceId: string, body: CreateModuleBody, actor: Actor): Promise<ModuleResponse> {
      return translating(`Module '${body.key}'`, () =>
        writing(workspaceId, async (tx, w) => {
          const row = await repo.create(tx, workspaceId, { key: body.key, name: body.name, description: body.description ?? "", keyPrefix: body.keyPrefix ?? null, tenantManageable: body.tenantManageable ?? false });
          await w.audit(actor, { workspaceId, action: "module.created", ...target(row), after: audited(row) });
          return toModuleResponse(row);
        }),
      );
    },

    async update(workspaceId: string, key: string, expectedVersion: number, body: UpdateModuleBody, actor: Actor): Promise<ModuleResponse> {
      const data = { name: body.name, description: body.description === null ? "" : body.description, keyPrefix: body.keyPrefix, tenantManageable: body.tenantManageable };
      return writing(workspaceId, async (tx, w) => {
        const current = await requireModule(tx, workspaceId, key);
        if (body.keyPrefix) {
          const stray = await repo.keysWithout(tx, workspaceId, current.id, body.keyPrefix, 20);
          if (stray.length > 0) {
            throw invalid(`Flags of module '${key}' do not start with '${body.keyPrefix}': ${stray.join(", ")}. Move or rename them first.`, [
              { path: "body.keyPrefix", message: `${stray.length === 20 ? "at least 20" : stray.length} flag${stray.length === 1 ? "" : "s"} of the module do not start with it` },
            ]);
          }
        }
        const updated = await repo.update(tx, workspaceId, current.id, expectedVersion, data);
        if (!updated) throw staleVersion(`Module '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "module.updated", ...target(current), ...changes(audited(current), data) });
        return toModuleResponse(updated);
      });
    },

    /**
     * Refuses while flags are in the module: detaching them silently would turn them on for
     * tenants that have the module switched off. Move or delete the flags first.
     */
    async delete(workspaceId: string, key: string, expectedVersion: number, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const found = await requireModule(tx, workspaceId, key);
        await repo.lock(tx, workspaceId, found.id);
        const current = (await repo.findByKey(tx, workspaceId, key)) ?? found;
        const flagCount = current._count.flags;
        if (flagCount > 0) {
          const flags = (await repo.flagKeys(tx, workspaceId, current.id, 20)).map((flag) => flag.key);
          throw new AppError("CONFLICT", `Module '${key}' still has ${flagCount} flag${flagCount === 1 ? "" : "s"}; move or delete them first.`, {
            details: { flagCount, flags },
          });
        }
        const tenantSwitches = await repo.tenantSwitches(tx, workspaceId, current.id);
        if (!(await repo.delete(tx, workspaceId, current.id, expectedVersion))) throw staleVersion(`Module '${key}'`, current.version);
        await w.audit(actor, { workspaceId, action: "module.deleted", ...target(current), before: { ...audited(current), tenantSwitches } });
        // Tenants' switches of the module leave the snapshots with it.
        if (tenantSwitches > 0) await w.bump();
      });
    },
  };
}

export type ModulesService = ReturnType<typeof createModulesService>;
