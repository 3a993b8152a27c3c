import { z } from "zod";
import { Key, Name } from "./common";
import { MasterSwitchState } from "./master-switch";

export const WorkspaceSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "use 2-63 lowercase letters, digits and '-'");

export const EnvironmentSummary = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  color: z.string().nullable(),
  sortOrder: z.number().int(),
  /** Client keys must send a signed context token in this environment. */
  requireContextToken: z.boolean(),
  /** Live customer traffic: the admin app confirms toggles and rollouts here, showing who they affect. */
  isProduction: z.boolean(),
  /** Request headers evaluations add to the context as `header.<name>`. */
  exposedHeaders: z.array(z.string()),
  masterSwitch: MasterSwitchState,
  snapshotVersion: z.number().int(),
  version: z.number().int(),
});
export type EnvironmentSummary = z.infer<typeof EnvironmentSummary>;

export const WorkspaceResponse = z.object({
  id: z.string(),
  slug: WorkspaceSlug,
  name: z.string(),
  version: z.number().int(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  environments: z.array(EnvironmentSummary),
});
export type WorkspaceResponse = z.infer<typeof WorkspaceResponse>;

export const CreateWorkspaceBody = z.object({
  slug: WorkspaceSlug,
  name: Name,
  /** Environments to create; development, staging and production when absent. */
  environments: z.array(z.object({ key: Key, name: Name })).min(1).max(20).optional(),
});
export type CreateWorkspaceBody = z.infer<typeof CreateWorkspaceBody>;

export const UpdateWorkspaceBody = z.object({ name: Name.optional() }).strict();
export type UpdateWorkspaceBody = z.infer<typeof UpdateWorkspaceBody>;

export const WorkspaceParams = z.object({ workspace: WorkspaceSlug });
