import type { CreateWorkspaceBody } from "@ensign/contracts/workspaces";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import type { ActiveApiKey, NewEnvironment, WorkspaceRow, WorkspacesRepository } from "./workspaces.repository";
import { createWorkspacesService } from "./workspaces.service";

const superadmin: Actor = { type: "user", id: "u-super", email: "root@example.test" };

type StoredWorkspace = Omit<WorkspaceRow, "environments">;
type StoredEnvironment = NewEnvironment & { id: string; workspaceId: string };

/** The repository in memory: workspaces, their environments and memberships, and API keys. */
function fakeRepository() {
  const workspaces: StoredWorkspace[] = [];
  const environments: StoredEnvironment[] = [];
  const memberships: { workspaceId: string; userId: string; role: string }[] = [];
  const apiKeys: (ActiveApiKey & { workspaceId: string; revoked: boolean })[] = [];
  let ids = 0;

  const rowOf = (workspace: StoredWorkspace): WorkspaceRow =>
    structuredClone({
      ...workspace,
      environments: environments
        .filter((env) => env.workspaceId === workspace.id)
        .sort((a, b) => a.sortOrder - b.sortOrder)
        .map(({ id, key, name, sortOrder, requireContextToken, isProduction }) => ({
          id,
          key,
          name,
          color: null,
          sortOrder,
          requireContextToken,
          isProduction,
          exposedHeaders: [],
          masterSwitchOn: true,
          masterSwitchReason: null,
          masterSwitchChangedAt: null,
          masterSwitchChangedBy: null,
          snapshotVersion: 1,
          version: 1,
        })),
    });
  const live = () => workspaces.filter((w) => w.archivedAt === null).sort((a, b) => a.name.localeCompare(b.name));
  const find = async (_tx: unknown, workspaceId: string) => {
    const found = workspaces.find((w) => w.id === workspaceId);
    return found ? rowOf(found) : null;
  };

  const repo: WorkspacesRepository = {
    find,
    async listAll() {
      return live().map(rowOf);
    },
    async listForUser(userId) {
      return live()
        .filter((w) => memberships.some((m) => m.workspaceId === w.id && m.userId === userId))
        .map(rowOf);
    },
    async idOfSlug(slug) {
      return workspaces.find((w) => w.slug === slug)?.id ?? null;
    },
    async update(tx, workspaceId, expectedVersion, data) {
      const row = workspaces.find((w) => w.id === workspaceId && w.version === expectedVersion);
      if (!row) return null;
      Object.assign(row, data, { version: row.version + 1 });
      return find(tx, workspaceId);
    },
    async create(_tx, data) {
      if (workspaces.some((w) => w.slug === data.slug)) return null;
      const at = new Date(NOW);
      const id = `ws-${++ids}`;
      workspaces.push({ id, ...data, version: 1, archivedAt: null, createdAt: at, updatedAt: at });
      return { id };
    },
    async createEnvironments(_tx, workspaceId, created) {
      for (const env of created) environments.push({ ...env, id: `env-${++ids}`, workspaceId });
    },
    async addOwner(_tx, workspaceId, userId) {
      memberships.push({ workspaceId, userId, role: "owner" });
    },
    async archive(_tx, workspaceId) {
      const row = workspaces.find((w) => w.id === workspaceId)!;
      Object.assign(row, { archivedAt: new Date(NOW), version: row.version + 1 });
    },
    async activeApiKeys(_tx, workspaceId) {
      return apiKeys.filter((key) => key.workspaceId === workspaceId && !key.revoked).map(({ id, secretHash, environmentId }) => ({ id, secretHash, environmentId }));
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ workspaces, environments, memberships });
      return () => {
        workspaces.splice(0, workspaces.length, ...saved.workspaces);
        environments.splice(0, environments.length, ...saved.environments);
        memberships.splice(0, memberships.length, ...saved.memberships);
      };
    },
  };
  return { repo, rows, workspaces, environments, memberships, apiKeys };
}

describe("workspaces service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createWorkspacesService>;
  const body = (slug: string, fields: Partial<CreateWorkspaceBody> = {}): CreateWorkspaceBody => ({ slug, name: slug, ...fields });
  const create = (slug: string, fields: Partial<CreateWorkspaceBody> = {}, owner = "u-owner") => service.create(body(slug, fields), { userId: owner }, superadmin);

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createWorkspacesService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
  });

  it("creates a workspace with development, staging and production, the creator as owner, audited", async () => {
    const created = await create("acme", { name: "Acme" });
    expect(created).toMatchObject({ slug: "acme", name: "Acme", version: 1, archivedAt: null, createdAt: new Date(NOW).toISOString() });
    expect(created.environments.map((env) => [env.key, env.name, env.sortOrder])).toEqual([
      ["development", "Development", 0],
      ["staging", "Staging", 1],
      ["production", "Production", 2],
    ]);
    expect(fake.memberships).toEqual([{ workspaceId: created.id, userId: "u-owner", role: "owner" }]);
    expect(writer.committed.audit).toEqual([
      {
        actor: superadmin,
        workspaceId: created.id,
        action: "workspace.created",
        targetType: "workspace",
        targetId: created.id,
        targetKey: "acme",
        after: { slug: "acme", name: "Acme", environments: ["development", "staging", "production"] },
      },
    ]);
  });

  it("makes every new environment ask for signed context tokens, each with its own secret, and marks only production live", async () => {
    await create("acme", { environments: [{ key: "qa", name: "QA" }, { key: "production", name: "Live" }, { key: "prod", name: "Prod" }] });
    expect(fake.environments.map((env) => [env.key, env.sortOrder, env.requireContextToken, env.isProduction])).toEqual([
      ["qa", 0, true, false],
      ["production", 1, true, true],
      ["prod", 2, true, false],
    ]);
    const secrets = fake.environments.map((env) => env.contextSecret);
    expect(new Set(secrets).size).toBe(3);
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(32);
  });

  it("refuses environments with the same key, naming the field, and creates nothing", async () => {
    const refused = await refusal(create("acme", { environments: [{ key: "qa", name: "QA" }, { key: "qa", name: "QA again" }] }));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.details).toEqual({ issues: [{ path: "body.environments", message: "keys must be unique" }] });
    expect([fake.workspaces, fake.environments, fake.memberships, writer.committed.audit]).toEqual([[], [], [], []]);
  });

  it("refuses a slug already taken, archived or not, and leaves the first workspace alone", async () => {
    const first = await create("acme", { name: "Acme" });
    const taken = await refusal(create("acme", { name: "Other" }, "u-other"));
    expect({ code: taken.code, message: taken.message }).toEqual({ code: "ALREADY_EXISTS", message: "A workspace with this slug already exists." });
    await service.archive(first.id, superadmin);
    expect((await refusal(create("acme", { name: "Again" }, "u-other"))).code).toBe("ALREADY_EXISTS");
    expect(fake.workspaces.map((w) => w.name)).toEqual(["Acme"]);
    expect(fake.environments).toHaveLength(3);
    expect(fake.memberships.map((m) => m.userId)).toEqual(["u-owner"]);
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["workspace.created", "workspace.archived"]);
  });

  it("renames only under the version read and audits the change", async () => {
    const ws = await create("acme", { name: "Acme" });
    const stale = await refusal(service.update(ws.id, 2, { name: "Lost" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });

    const renamed = await service.update(ws.id, 1, { name: "Acme Corp" }, admin);
    expect(renamed).toMatchObject({ name: "Acme Corp", version: 2 });
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: admin,
      workspaceId: ws.id,
      action: "workspace.updated",
      targetType: "workspace",
      targetId: ws.id,
      targetKey: "acme",
      before: { name: "Acme" },
      after: { name: "Acme Corp" },
    });
    expect((await refusal(service.update("ws-none", 1, { name: "x" }, admin))).code).toBe("NOT_FOUND");
    expect(writer.committed.audit).toHaveLength(2);
  });

  it("archives a workspace: audited, its live API keys revoked per environment, and only once", async () => {
    const ws = await create("acme");
    const other = await create("other");
    const [development, staging] = ws.environments;
    fake.apiKeys.push(
      { workspaceId: ws.id, environmentId: development!.id, id: "k-1", secretHash: "h-1", revoked: false },
      { workspaceId: ws.id, environmentId: staging!.id, id: "k-2", secretHash: "h-2", revoked: false },
      { workspaceId: ws.id, environmentId: development!.id, id: "k-3", secretHash: "h-3", revoked: false },
      { workspaceId: ws.id, environmentId: staging!.id, id: "k-old", secretHash: "h-old", revoked: true },
      { workspaceId: other.id, environmentId: other.environments[0]!.id, id: "k-other", secretHash: "h-other", revoked: false },
    );

    await service.archive(ws.id, superadmin);
    expect(fake.workspaces.find((w) => w.id === ws.id)).toMatchObject({ archivedAt: new Date(NOW), version: 2 });
    expect(writer.committed.audit.at(-1)).toEqual({
      actor: superadmin,
      workspaceId: ws.id,
      action: "workspace.archived",
      targetType: "workspace",
      targetId: ws.id,
      targetKey: "acme",
      before: { archivedAt: null },
      after: { archivedAt: expect.any(String) },
    });
    expect(writer.revoked.map(({ workspaceId, environmentId, keys, reason }) => ({ workspaceId, environmentId, keys, reason }))).toEqual([
      { workspaceId: ws.id, environmentId: development!.id, keys: [{ id: "k-1", secretHash: "h-1" }, { id: "k-3", secretHash: "h-3" }], reason: "workspace_archived" },
      { workspaceId: ws.id, environmentId: staging!.id, keys: [{ id: "k-2", secretHash: "h-2" }], reason: "workspace_archived" },
    ]);

    expect((await refusal(service.archive(ws.id, superadmin))).code).toBe("NOT_FOUND");
    expect((await refusal(service.archive("ws-none", superadmin))).code).toBe("NOT_FOUND");
    expect(writer.revoked).toHaveLength(2);
    expect(writer.committed.audit.filter((a) => a.action === "workspace.archived")).toHaveLength(1);
  });

  it("lists every live workspace by name to a superadmin, and to a member only theirs", async () => {
    await create("zeta", { name: "Zeta" }, "u-ann");
    const alpha = await create("alpha", { name: "Alpha" }, "u-bob");
    await create("mid", { name: "Mid" }, "u-ann");
    const gone = await create("gone", { name: "Gone" }, "u-ann");
    await service.archive(gone.id, superadmin);

    const names = async (user: { userId: string; isSuperadmin: boolean }) => (await service.listFor(user)).map((w) => w.name);
    expect(await names({ userId: "u-nobody", isSuperadmin: true })).toEqual(["Alpha", "Mid", "Zeta"]);
    expect(await names({ userId: "u-ann", isSuperadmin: false })).toEqual(["Mid", "Zeta"]);
    expect(await names({ userId: "u-bob", isSuperadmin: false })).toEqual(["Alpha"]);
    expect(await names({ userId: "u-nobody", isSuperadmin: false })).toEqual([]);
    expect((await service.get(alpha.id)).environments.map((env) => env.masterSwitch.enabled)).toEqual([true, true, true]);
  });

  it("finds a workspace by slug for a superadmin, archived or not, and answers 404 for an unknown one", async () => {
    const ws = await create("acme");
    await service.archive(ws.id, superadmin);
    expect(await service.idOf("acme")).toBe(ws.id);
    const unknown = await refusal(service.idOf("nowhere"));
    expect({ code: unknown.code, message: unknown.message }).toEqual({ code: "NOT_FOUND", message: "Workspace 'nowhere' was not found." });
    expect((await refusal(service.get("ws-none"))).code).toBe("NOT_FOUND");
  });
});
