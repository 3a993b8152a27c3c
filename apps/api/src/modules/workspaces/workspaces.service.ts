import type { CreateWorkspaceBody, UpdateWorkspaceBody, WorkspaceResponse } from "@ensign/contracts/workspaces";
import { changes, type Actor } from "../../infra/audit";
import type { Reader } from "../../infra/db/scoped";
import { AppError, notFound } from "../../infra/errors";
import { staleVersion } from "../../infra/versioning";
import type { Writer } from "../../infra/writer";
import { generateSigningSecret } from "../auth/secrets";
import { withMasterSwitch } from "../environments/environments.service";
import type { NewEnvironment, WorkspaceRow, WorkspacesRepository } from "./workspaces.repository";

const DEFAULT_ENVIRONMENTS = [
  { key: "development", name: "Development" },
  { key: "staging", name: "Staging" },
  { key: "production", name: "Production" },
];

export function toWorkspaceResponse(row: WorkspaceRow): WorkspaceResponse {
  return {
    ...row,
    environments: row.environments.map(withMasterSwitch),
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Secure by default: client keys must send a signed context token until an owner opts out. */
const newEnvironment = (env: { key: string; name: string }, sortOrder: number): NewEnvironment => ({
  key: env.key,
  name: env.name,
  sortOrder,
  contextSecret: generateSigningSecret(),
  requireContextToken: true,
  isProduction: env.key === "production",
});

export interface WorkspacesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: WorkspacesRepository;
}

export function createWorkspacesService({ reading, writing, repo }: WorkspacesServiceDeps) {
  return {
    async get(workspaceId: string): Promise<WorkspaceResponse> {
      const row = await reading(workspaceId, (tx) => repo.find(tx, workspaceId));
      if (!row) throw notFound("The workspace");
      return toWorkspaceResponse(row);
    },

    async listFor(user: { userId: string; isSuperadmin: boolean }): Promise<WorkspaceResponse[]> {
      const rows = user.isSuperadmin ? await repo.listAll() : await repo.listForUser(user.userId);
      return rows.map(toWorkspaceResponse);
    },

    async update(workspaceId: string, expectedVersion: number, body: UpdateWorkspaceBody, actor: Actor): Promise<WorkspaceResponse> {
      return writing(workspaceId, async (tx, w) => {
        const current = await repo.find(tx, workspaceId);
        if (!current) throw notFound("The workspace");
        const updated = await repo.update(tx, workspaceId, expectedVersion, body);
        if (!updated) throw staleVersion("The workspace", current.version);
        const diff = changes(current, body);
        await w.audit(actor, {
          workspaceId,
          action: "workspace.updated",
          targetType: "workspace",
          targetId: workspaceId,
          targetKey: current.slug,
          ...diff,
        });
        return toWorkspaceResponse(updated);
      });
    },

    /** A superadmin creates a workspace with its environments and becomes its owner. */
    async create(body: CreateWorkspaceBody, owner: { userId: string }, actor: Actor): Promise<WorkspaceResponse> {
      const environments = body.environments ?? DEFAULT_ENVIRONMENTS;
      if (new Set(environments.map((env) => env.key)).size !== environments.length) {
        throw new AppError("VALIDATION_FAILED", "Environment keys must be unique.", {
          details: { issues: [{ path: "body.environments", message: "keys must be unique" }] },
        });
      }
      return writing.asOwner(async (tx, open) => {
        const created = await repo.create(tx, { slug: body.slug, name: body.name });
        if (!created) throw new AppError("ALREADY_EXISTS", "A workspace with this slug already exists.");
        const { id } = created;
        await repo.createEnvironments(tx, id, environments.map(newEnvironment));
        await repo.addOwner(tx, id, owner.userId);
        await open(id).audit(actor, {
          workspaceId: id,
          action: "workspace.created",
          targetType: "workspace",
          targetId: id,
          targetKey: body.slug,
          after: { slug: body.slug, name: body.name, environments: environments.map((env) => env.key) },
        });
        return toWorkspaceResponse((await repo.find(tx, id))!);
      });
    },

    /** Archives the workspace: its members lose it at once, and every replica stops accepting its API keys. */
    async archive(workspaceId: string, actor: Actor): Promise<void> {
      await writing.asOwner(async (tx, open) => {
        const w = open(workspaceId);
        const current = await repo.find(tx, workspaceId);
        if (!current || current.archivedAt) throw notFound("The workspace");
        await repo.archive(tx, workspaceId);
        await w.audit(actor, {
          workspaceId,
          action: "workspace.archived",
          targetType: "workspace",
          targetId: workspaceId,
          targetKey: current.slug,
          before: { archivedAt: null },
          after: { archivedAt: new Date().toISOString() },
        });
        const keys = await repo.activeApiKeys(tx, workspaceId);
        const at = new Date().toISOString();
        for (const environmentId of new Set(keys.map((key) => key.environmentId))) {
          const inEnvironment = keys.filter((key) => key.environmentId === environmentId).map(({ id, secretHash }) => ({ id, secretHash }));
          w.revoke({ workspaceId, environmentId, keys: inEnvironment, reason: "workspace_archived", at });
        }
      });
    },

    /** A superadmin's lookup by slug, archived or not. */
    async idOf(slug: string): Promise<string> {
      const id = await repo.idOfSlug(slug);
      if (!id) throw notFound(`Workspace '${slug}'`);
      return id;
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
