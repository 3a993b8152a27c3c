import type { ImportBody, ImportResponse, WorkspaceExport } from "@ensign/contracts/export";
import type { Actor } from "../../infra/audit";
import type { Writer } from "../../infra/writer";
import { AppError, invalid } from "../../infra/errors";
import { environmentsRepository } from "../environments/environments.repository";
import { buildExport } from "./export.builder";
import { exportRepository } from "./export.repository";
import { documentIssues } from "./import-validation";
import { writeImport } from "./import.writer";
import { createEnvironmentLimits, type EnvironmentLimitsChecker } from "../../infra/environment-limits";

/** Big workspaces take a while to read or write in one transaction. */
const TRANSFER_TIMEOUT_MS = 120_000;

export function createTransferService({
  writing,
  limits = createEnvironmentLimits(),
  now = () => new Date(),
}: {
  writing: Writer;
  limits?: EnvironmentLimitsChecker;
  now?: () => Date;
}) {
  return {
    /** The whole workspace as one document; reading it is audited (who took a copy, and how much). */
    async export(workspaceId: string, actor: Actor): Promise<WorkspaceExport> {
      return writing(
        workspaceId,
        async (tx, w) => {
          const doc = await buildExport(tx, workspaceId, now());
          await w.audit(actor, {
            workspaceId,
            action: "workspace.exported",
            targetType: "workspace",
            targetId: workspaceId,
            targetKey: doc.workspace.slug,
            after: { flags: doc.flags.length, tenants: doc.tenants.length, segments: doc.segments.length, identities: doc.identities.length },
          });
          return doc;
        },
        { timeout: TRANSFER_TIMEOUT_MS, isolationLevel: "RepeatableRead" },
      );
    },

    /**
     * Imports a document into a workspace that has no flags, modules, segments, tenants or
     * identities yet (`empty-only`): all of it in one transaction with one audit entry, keys
     * kept and ids new. Environments are matched by key (see `writeImport`).
     */
    async import(workspaceId: string, body: ImportBody, actor: Actor): Promise<ImportResponse> {
      const issues = documentIssues(body.document);
      if (issues.length > 0) throw invalid(`The document is not consistent: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, issues);
      const summary = await writing(
        workspaceId,
        async (tx, w) => {
          await environmentsRepository.lockWorkspace(tx, workspaceId);
          const present = await exportRepository.contentCounts(tx, workspaceId);
          const found = Object.entries(present).filter(([, count]) => count > 0);
          if (found.length > 0) {
            throw new AppError("CONFLICT", `Imports go into an empty workspace; this one has ${found.map(([what, n]) => `${n} ${what}`).join(", ")}.`, {
              details: { present },
            });
          }
          const summary = await writeImport(tx, workspaceId, body.document);
          await w.audit(actor, {
            workspaceId,
            action: "workspace.imported",
            targetType: "workspace",
            targetId: workspaceId,
            targetKey: (await exportRepository.workspace(tx, workspaceId)).slug,
            after: { mode: body.mode, source: body.document.workspace.slug, exportedAt: body.document.exportedAt, ...summary },
          });
          const bumped = await w.bump();
          await limits.assertSegments(tx, workspaceId);
          await limits.assertEnvironments(
            tx,
            bumped.map((change) => change.environmentId),
          );
          return summary;
        },
        { timeout: TRANSFER_TIMEOUT_MS },
      );
      return { summary };
    },
  };
}

export type TransferService = ReturnType<typeof createTransferService>;
