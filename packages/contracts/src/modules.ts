import { z } from "zod";
import { Description, Key, Name, PageQuery, SortOrder } from "./common";
import { WorkspaceSlug } from "./workspaces";

/** A group of flags that can be switched off per tenant (e.g. `FIN`, `STR`, `TENADMIN`). */
export const ModuleParams = z.object({ workspace: WorkspaceSlug, module: Key });
export type ModuleParams = z.infer<typeof ModuleParams>;

export const ModuleResponse = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  description: z.string(),
  /** Every flag of the module must have a key starting with it; `null` for no rule. */
  keyPrefix: z.string().nullable(),
  /** Whether tenant admins may switch the module on or off for their own tenant. */
  tenantManageable: z.boolean(),
  /** Flags in the module, archived ones included. */
  flagCount: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModuleResponse = z.infer<typeof ModuleResponse>;

export const ListModulesQuery = PageQuery.extend({
  /** Matches key or name, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  sort: z.enum(["key", "name", "createdAt", "flagCount"]).default("key"),
  order: SortOrder.default("asc"),
});
export type ListModulesQuery = z.infer<typeof ListModulesQuery>;

/** A prefix flag keys must start with, such as `fin_` for `{module}_{feature}` keys. */
export const KeyPrefix = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,31}$/, "key prefixes use lowercase letters, digits, '_', '.', '-' (max 32)");

export const CreateModuleBody = z
  .object({ key: Key, name: Name, description: Description.optional(), keyPrefix: KeyPrefix.nullish(), tenantManageable: z.boolean().optional() })
  .strict();
export type CreateModuleBody = z.infer<typeof CreateModuleBody>;

/** Missing fields stay; `description: null` clears it. The key never changes: tenants' module switches and snapshots name it. */
export const UpdateModuleBody = z
  .object({ name: Name.optional(), description: Description.nullable().optional(), keyPrefix: KeyPrefix.nullish(), tenantManageable: z.boolean().optional() })
  .strict();
export type UpdateModuleBody = z.infer<typeof UpdateModuleBody>;
