import type { CreateModuleBody } from "@ensign/contracts/modules";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { ModuleRow, ModulesRepository } from "./feature-modules.repository";
import { createModulesService } from "./feature-modules.service";

type StoredModule = Omit<ModuleRow, "_count"> & { workspaceId: string };

/** The repository in memory: modules, the keys of the flags in each (`flags`), and tenants' switches of them. */
function fakeRepository() {
  const modules: StoredModule[] = [];
  const flags = new Map<string, string[]>();
  const switches = new Map<string, number>();
  const locks: string[] = [];
  let ids = 0;
  const toRow = ({ workspaceId: _w, ...row }: StoredModule): ModuleRow => ({ ...row, _count: { flags: flags.get(row.id)?.length ?? 0 } });
  const inScope = (workspaceId: string) => modules.filter((m) => m.workspaceId === workspaceId);
  const keysOf = (id: string) => [...(flags.get(id) ?? [])].sort();

  const repo: ModulesRepository = {
    async list(_tx, workspaceId, query) {
      const found = inScope(workspaceId).sort((a, b) => a.key.localeCompare(b.key));
      return { rows: found.slice((query.page - 1) * query.pageSize, query.page * query.pageSize).map(toRow), total: found.length };
    },
    async findByKey(_tx, workspaceId, key) {
      const row = inScope(workspaceId).find((m) => m.key === key);
      return row ? toRow(row) : null;
    },
    async keysWithout(_tx, _workspaceId, id, prefix, limit) {
      return keysOf(id)
        .filter((key) => !key.startsWith(prefix))
        .slice(0, limit);
    },
    async create(_tx, workspaceId, data) {
      const at = new Date(NOW);
      const row: StoredModule = { workspaceId, id: `mod-${++ids}`, ...data, version: 1, createdAt: at, updatedAt: at };
      modules.push(row);
      return toRow(row);
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const row = inScope(workspaceId).find((m) => m.id === id && m.version === expectedVersion);
      if (!row) return null;
      Object.assign(row, Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)), { version: row.version + 1 });
      return toRow(row);
    },
    async lock(_tx, _workspaceId, id) {
      locks.push(id);
    },
    async flagKeys(_tx, _workspaceId, moduleId, take) {
      return keysOf(moduleId)
        .slice(0, take)
        .map((key) => ({ key }));
    },
    async tenantSwitches(_tx, _workspaceId, moduleId) {
      return switches.get(moduleId) ?? 0;
    },
    delete: versionedWrites(modules).delete,
  };
  return { repo, modules, flags, switches, locks };
}

describe("modules service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createModulesService>;
  const create = (key: string, body: Partial<CreateModuleBody> = {}) => service.create(WS, { key, name: key.toUpperCase(), ...body }, admin);

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter();
    service = createModulesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
  });

  it("creates a module, audited, without bumping any environment", async () => {
    const created = await create("fin", { keyPrefix: "fin_", tenantManageable: true });
    expect(created).toMatchObject({ key: "fin", name: "FIN", description: "", keyPrefix: "fin_", tenantManageable: true, flagCount: 0, version: 1 });
    expect(writer.committed).toEqual({
      bumped: [],
      audit: [
        {
          actor: admin,
          workspaceId: WS,
          action: "module.created",
          targetType: "module",
          targetId: created.id,
          targetKey: "fin",
          after: { key: "fin", name: "FIN", description: "", keyPrefix: "fin_", tenantManageable: true },
        },
      ],
    });
  });

  it("edits under the version read, auditing what changed, and clears the description with null", async () => {
    await create("fin", { description: "Finance" });
    const stale = await refusal(service.update(WS, "fin", 4, { name: "Finance" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    const updated = await service.update(WS, "fin", 1, { name: "Finance", description: null }, admin);
    expect({ name: updated.name, description: updated.description, version: updated.version }).toEqual({ name: "Finance", description: "", version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "module.updated", before: { name: "FIN", description: "Finance" }, after: { name: "Finance", description: "" } });
    expect((await refusal(service.update(WS, "nope", 1, { name: "x" }, admin))).code).toBe("NOT_FOUND");
  });

  it("refuses a key prefix that flags of the module do not start with, naming them", async () => {
    const fin = await create("fin");
    fake.flags.set(fin.id, ["fin_invoices", "payroll", "expenses"]);
    const refused = await refusal(service.update(WS, "fin", 1, { keyPrefix: "fin_" }, admin));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.message).toBe("Flags of module 'fin' do not start with 'fin_': expenses, payroll. Move or rename them first.");
    expect(refused.details).toEqual({ issues: [{ path: "body.keyPrefix", message: "2 flags of the module do not start with it" }] });
    expect(fake.modules[0]!.keyPrefix).toBeNull();
    expect(writer.committed.audit).toHaveLength(1);
  });

  it("refuses to delete a module that still has flags, under its lock, naming them", async () => {
    const fin = await create("fin");
    fake.flags.set(fin.id, ["fin_payroll", "fin_invoices"]);
    const refused = await refusal(service.delete(WS, "fin", 1, admin));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe("Module 'fin' still has 2 flags; move or delete them first.");
    expect(refused.details).toEqual({ flagCount: 2, flags: ["fin_invoices", "fin_payroll"] });
    expect(fake.locks).toEqual([fin.id]);
    expect(fake.modules).toHaveLength(1);
  });

  it("deletes an empty module, audited with its tenants' switches, bumping every environment only when there were any", async () => {
    const fin = await create("fin");
    const str = await create("str");
    fake.switches.set(str.id, 3);
    expect((await refusal(service.delete(WS, "fin", 2, admin))).code).toBe("VERSION_MISMATCH");
    await service.delete(WS, "fin", 1, admin);
    expect(writer.committed.bumped).toEqual([]);
    await service.delete(WS, "str", 1, admin);
    expect(writer.committed.bumped).toEqual([["*"]]);
    expect(writer.committed.audit.slice(2).map((r) => [r.action, r.targetId, (r.before as { tenantSwitches: number }).tenantSwitches])).toEqual([
      ["module.deleted", fin.id, 0],
      ["module.deleted", str.id, 3],
    ]);
    expect(fake.modules).toEqual([]);
  });

  it("lists and shows the workspace's modules with their flag counts, never another workspace's", async () => {
    const fin = await create("fin");
    await create("core");
    fake.flags.set(fin.id, ["fin_invoices"]);
    const page = await service.list(WS, { page: 1, pageSize: 10, sort: "key", order: "asc" });
    expect({ total: page.total, items: page.items.map((m) => [m.key, m.flagCount]) }).toEqual({ total: 2, items: [["core", 0], ["fin", 1]] });
    expect((await service.get(WS, "fin")).createdAt).toBe(new Date(NOW).toISOString());
    expect((await refusal(service.get("ws-other", "fin"))).code).toBe("NOT_FOUND");
  });
});
