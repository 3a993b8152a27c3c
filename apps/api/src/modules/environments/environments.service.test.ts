import type { CreateEnvironmentBody } from "@ensign/contracts/environments";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal, type Audited } from "../../../test/helpers/recording-writer";
import { admin, NOW, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import type { Actor } from "../../infra/audit";
import type { EnvironmentDependants, EnvironmentRow, EnvironmentsRepository } from "./environments.repository";
import { createEnvironmentsService } from "./environments.service";

type StoredEnvironment = EnvironmentRow & { workspaceId: string; contextSecret: string };

/** What the audit log stores of the records: of their environment, only its id and key. */
const storedText = (records: Audited[]) => JSON.stringify(records.map(({ environment, ...rest }) => ({ ...rest, environment: environment && { id: environment.id, key: environment.key } })));

const owner: Actor = { type: "user", id: "u-0", email: "owner@example.test", role: "owner" };

/** The repository in memory: environments, the flags a new one gets a state of, and what goes with each. */
function fakeRepository() {
  const environments: StoredEnvironment[] = [];
  /** Flags of `WS`: a new environment gets one state per flag. */
  const flags = ["checkout", "search"];
  const dependants = new Map<string, EnvironmentDependants>();
  let ids = 0;
  const { inScope, strip } = workspaceRows(environments);
  const rowOf = (stored: StoredEnvironment): EnvironmentRow => {
    const { contextSecret: _secret, ...row } = strip(stored);
    return row;
  };
  const find = (workspaceId: string, id: string) => inScope(workspaceId).find((e) => e.id === id);

  const repo: EnvironmentsRepository = {
    async findByKey(_tx, workspaceId, key) {
      const row = inScope(workspaceId).find((e) => e.key === key);
      return row ? rowOf(row) : null;
    },
    async findById(_tx, workspaceId, id) {
      const row = find(workspaceId, id);
      return row ? rowOf(row) : null;
    },
    async list(_tx, workspaceId, query) {
      const found = inScope(workspaceId).sort((a, b) => a.sortOrder - b.sortOrder || a.key.localeCompare(b.key));
      const skip = (query.page - 1) * query.pageSize;
      return { rows: found.slice(skip, skip + query.pageSize).map(rowOf), total: found.length };
    },
    async count(_tx, workspaceId) {
      return inScope(workspaceId).length;
    },
    async nextSortOrder(_tx, workspaceId) {
      const orders = inScope(workspaceId).map((e) => e.sortOrder);
      return orders.length === 0 ? 0 : Math.max(...orders) + 1;
    },
    async lockWorkspace() {},
    async create(_tx, workspaceId, data) {
      if (inScope(workspaceId).some((e) => e.key === data.key)) return null;
      const at = new Date(NOW);
      const row: StoredEnvironment = {
        workspaceId,
        id: `env-${++ids}`,
        ...data,
        contextIssuer: null,
        contextJwksUrl: null,
        exposedHeaders: [],
        masterSwitchOn: false,
        masterSwitchReason: null,
        masterSwitchChangedAt: null,
        masterSwitchChangedBy: null,
        snapshotVersion: 1,
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      environments.push(row);
      return rowOf(row);
    },
    async createDefaultStates(_tx, workspaceId) {
      return workspaceId === WS ? flags.length : 0;
    },
    async update(_tx, workspaceId, id, expectedVersion, data) {
      const row = find(workspaceId, id);
      if (!row || row.version !== expectedVersion) return null;
      Object.assign(row, data, { version: row.version + 1 });
      return rowOf(row);
    },
    async setMasterSwitch(_tx, workspaceId, id, change) {
      const row = find(workspaceId, id);
      if (!row || row.masterSwitchOn === change.isOn) return null;
      Object.assign(row, {
        masterSwitchOn: change.isOn,
        masterSwitchReason: change.reason,
        masterSwitchChangedAt: new Date(NOW),
        masterSwitchChangedBy: change.changedBy,
        version: row.version + 1,
      });
      return rowOf(row);
    },
    async delete(_tx, workspaceId, id, expectedVersion) {
      const row = find(workspaceId, id);
      if (!row || row.version !== expectedVersion) return false;
      environments.splice(environments.indexOf(row), 1);
      return true;
    },
    async dependants(_tx, _workspaceId, environmentId) {
      return dependants.get(environmentId) ?? { flagStates: 0, tenantOverrides: 0, userOverrides: 0, identities: 0, schedules: 0, apiKeys: [] };
    },
    async contextSecret(_tx, workspaceId, key) {
      const row = inScope(workspaceId).find((e) => e.key === key);
      return row ? { id: row.id, key: row.key, contextSecret: row.contextSecret, version: row.version } : null;
    },
  };
  const rows = {
    save() {
      const saved = structuredClone(environments);
      return () => void environments.splice(0, environments.length, ...saved);
    },
  };
  return { repo, rows, environments, dependants };
}

describe("environments service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let service: ReturnType<typeof createEnvironmentsService>;

  const body = (key: string, fields: Partial<CreateEnvironmentBody> = {}): CreateEnvironmentBody => ({ key, name: key, ...fields });
  const stored = (key: string) => fake.environments.find((e) => e.key === key)!;

  beforeEach(async () => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    service = createEnvironmentsService({ reading: memoryReading, writing: writer.writer, repo: fake.repo });
    await service.create(WS, "owner", body("production"), owner);
    await service.create(WS, "owner", body("staging"), owner);
    writer.committed.audit.length = 0;
  });

  it("creates an environment after the others, with a fresh signing secret that the audit log never holds", async () => {
    const created = await service.create(WS, "admin", body("qa", { name: "QA" }), admin);
    expect(created).toMatchObject({ key: "qa", name: "QA", sortOrder: 2, requireContextToken: true, isProduction: false, masterSwitch: { enabled: false } });
    expect(stored("qa").contextSecret).not.toBe(stored("staging").contextSecret);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({ actor: admin, workspaceId: WS, action: "environment.created", targetType: "environment", targetKey: "qa" }),
    ]);
    expect(writer.committed.audit[0]!.after).toEqual({
      key: "qa",
      name: "QA",
      color: null,
      sortOrder: 2,
      contextIssuer: null,
      contextJwksUrl: null,
      requireContextToken: true,
      isProduction: false,
      exposedHeaders: [],
      flagStates: 2,
    });
    expect(storedText(writer.committed.audit)).not.toContain(stored("qa").contextSecret);
    // A new environment is announced, never bumped: it has no snapshot yet.
    expect(writer.committed.bumped).toEqual([]);
  });

  it("marks an environment keyed production as production unless told otherwise", async () => {
    const other = fakeRepository();
    const fresh = createEnvironmentsService({ reading: memoryReading, writing: recordingWriter(other.rows).writer, repo: other.repo });
    expect((await fresh.create(WS, "owner", body("production"), owner)).isProduction).toBe(true);
    expect((await fresh.create(WS, "owner", body("live", { isProduction: true, sortOrder: 9 }), owner))).toMatchObject({ isProduction: true, sortOrder: 9 });
  });

  it("refuses a key already taken and writes nothing", async () => {
    const taken = await refusal(service.create(WS, "owner", body("staging", { name: "Again" }), owner));
    expect({ code: taken.code, message: taken.message }).toEqual({ code: "ALREADY_EXISTS", message: "Environment 'staging' already exists." });
    expect(fake.environments.map((e) => [e.key, e.name])).toEqual([
      ["production", "production"],
      ["staging", "staging"],
    ]);
    expect(writer.committed.audit).toEqual([]);
  });

  it("lets only owners opt an environment out of signed context tokens; admins may switch it on", async () => {
    expect((await refusal(service.create(WS, "admin", body("qa", { requireContextToken: false }), admin))).code).toBe("FORBIDDEN");
    expect((await refusal(service.update(WS, "admin", "staging", 1, { requireContextToken: false }, admin))).code).toBe("FORBIDDEN");
    expect(stored("staging").requireContextToken).toBe(true);

    await service.update(WS, "owner", "staging", 1, { requireContextToken: false }, owner);
    expect(stored("staging").requireContextToken).toBe(false);
    await service.update(WS, "admin", "staging", 2, { requireContextToken: true }, admin);
    expect(stored("staging").requireContextToken).toBe(true);
    expect((await service.create(WS, "owner", body("qa", { requireContextToken: false }), owner)).requireContextToken).toBe(false);
  });

  it("lets an admin edit an environment an owner already opted out, without opting it back in", async () => {
    await service.update(WS, "owner", "staging", 1, { requireContextToken: false }, owner);
    const renamed = await service.update(WS, "admin", "staging", 2, { name: "Stage", requireContextToken: false }, admin);
    expect(renamed).toMatchObject({ name: "Stage", requireContextToken: false, version: 3 });
  });

  it("edits under the version read, audits what changed, and bumps only for what evaluation reads", async () => {
    const stale = await refusal(service.update(WS, "admin", "staging", 5, { name: "Stage" }, admin));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 1 });
    expect(writer.committed.audit).toEqual([]);

    const renamed = await service.update(WS, "admin", "staging", 1, { name: "Stage", sortOrder: 1, color: "#dc2626" }, admin);
    expect(renamed).toMatchObject({ name: "Stage", color: "#dc2626", version: 2 });
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({ action: "environment.updated", targetKey: "staging", before: { name: "staging", color: null }, after: { name: "Stage", color: "#dc2626" } }),
    ]);
    expect(writer.committed.bumped).toEqual([]);

    await service.update(WS, "admin", "staging", 2, { exposedHeaders: ["x-region"] }, admin);
    await service.update(WS, "admin", "staging", 3, { contextIssuer: "https://id.example.test" }, admin);
    expect(writer.committed.bumped).toEqual([[stored("staging").id], [stored("staging").id]]);
    expect((await refusal(service.update(WS, "admin", "nowhere", 1, { name: "x" }, admin))).code).toBe("NOT_FOUND");
  });

  it("refuses a JWKS URL on a private address before writing", async () => {
    const refused = await refusal(service.update(WS, "admin", "staging", 1, { contextJwksUrl: "https://10.0.0.5/jwks.json" }, admin));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect((refused.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(["body.contextJwksUrl"]);
    expect(stored("staging")).toMatchObject({ contextJwksUrl: null, version: 1 });
  });

  it("deletes only with the key typed to confirm, under the version read, and never the last environment", async () => {
    expect((await refusal(service.delete(WS, "staging", 1, "production", owner))).code).toBe("VALIDATION_FAILED");
    expect((await refusal(service.delete(WS, "staging", 3, "staging", owner))).code).toBe("VERSION_MISMATCH");
    expect(fake.environments).toHaveLength(2);

    await service.delete(WS, "staging", 1, "staging", owner);
    const last = await refusal(service.delete(WS, "production", 1, "production", owner));
    expect(last.code).toBe("CONFLICT");
    expect(last.message).toMatch(/at least one environment/);
    expect(fake.environments.map((e) => e.key)).toEqual(["production"]);
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["environment.deleted"]);
  });

  it("audits what a deletion takes with it and revokes the environment's live API keys", async () => {
    const staging = stored("staging");
    fake.dependants.set(staging.id, {
      flagStates: 2,
      tenantOverrides: 3,
      userOverrides: 1,
      identities: 7,
      schedules: 0,
      apiKeys: [
        { id: "key-live", secretHash: "hash-live", revokedAt: null },
        { id: "key-old", secretHash: "hash-old", revokedAt: new Date(NOW) },
      ],
    });
    await service.delete(WS, "staging", 1, "staging", owner);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({
        action: "environment.deleted",
        targetKey: "staging",
        before: expect.objectContaining({ key: "staging", flagStates: 2, tenantOverrides: 3, userOverrides: 1, identities: 7, schedules: 0, apiKeys: 2 }),
      }),
    ]);
    expect(writer.revoked).toEqual([
      expect.objectContaining({ workspaceId: WS, environmentId: staging.id, keys: [{ id: "key-live", secretHash: "hash-live" }], reason: "environment_deleted" }),
    ]);
  });

  it("flips the master switch once, audited and bumped; asking for the state it is in records nothing", async () => {
    const on = await service.setMasterSwitch(WS, "production", { enabled: true, reason: "incident 42" }, admin);
    expect(on.masterSwitch).toMatchObject({ enabled: true, reason: "incident 42", changedBy: admin.email });
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({ action: "environment.master_switch_on", before: { masterSwitch: false }, after: { masterSwitch: true, reason: "incident 42" } }),
    ]);
    expect(writer.committed.bumped).toEqual([[stored("production").id]]);

    const again = await service.setMasterSwitch(WS, "production", { enabled: true, reason: "still" }, admin);
    expect(again.masterSwitch.reason).toBe("incident 42");
    expect(writer.committed.audit).toHaveLength(1);

    await service.setMasterSwitch(WS, "production", { enabled: false }, admin);
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["environment.master_switch_on", "environment.master_switch_off"]);
    expect(writer.committed.bumped).toHaveLength(2);
  });

  it("records who read the signing secret, without it, and rotates it under the version read", async () => {
    const seen = await service.contextSecret(WS, "staging", admin);
    expect(seen).toEqual({ environment: "staging", secret: stored("staging").contextSecret, version: 1 });
    expect(writer.committed.audit).toEqual([expect.objectContaining({ action: "environment.context_secret_viewed", targetKey: "staging" })]);
    expect(storedText(writer.committed.audit)).not.toContain(seen.secret);
    expect((await refusal(service.contextSecret(WS, "nowhere", admin))).code).toBe("NOT_FOUND");

    expect((await refusal(service.rotateContextSecret(WS, "staging", 7, admin))).code).toBe("VERSION_MISMATCH");
    const rotated = await service.rotateContextSecret(WS, "staging", 1, admin);
    expect(rotated).toMatchObject({ environment: "staging", version: 2 });
    expect(rotated.secret).not.toBe(seen.secret);
    expect(stored("staging").contextSecret).toBe(rotated.secret);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "environment.context_secret_rotated", before: { version: 1 }, after: { version: 2 } });
    expect(writer.committed.bumped).toEqual([[stored("staging").id]]);
  });

  it("lists and shows only the workspace's environments", async () => {
    const page = await service.list(WS, { page: 1, pageSize: 10, sort: "sortOrder", order: "asc" });
    expect({ total: page.total, keys: page.items.map((e) => e.key) }).toEqual({ total: 2, keys: ["production", "staging"] });
    expect((await service.get(WS, "staging")).key).toBe("staging");
    expect((await refusal(service.get("ws-other", "staging"))).code).toBe("NOT_FOUND");
    expect((await service.list("ws-other", { page: 1, pageSize: 10, sort: "sortOrder", order: "asc" })).total).toBe(0);
  });
});
