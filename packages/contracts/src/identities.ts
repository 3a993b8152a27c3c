import { z } from "zod";
import { Key, PageQuery, SortOrder } from "./common";
import { JsonValue } from "./targeting";
import { WorkspaceSlug } from "./workspaces";

/** At most this many traits per identity: they travel in every snapshot. */
export const MAX_TRAITS = 200;

export const IdentityParams = z.object({ workspace: WorkspaceSlug, env: Key, key: Key });
export type IdentityParams = z.infer<typeof IdentityParams>;

export const Traits = z
  .record(z.string().min(1).max(128), JsonValue)
  .refine((traits) => Object.keys(traits).length <= MAX_TRAITS, { message: `at most ${MAX_TRAITS} traits` });

/** A user key's server-side traits in one environment, merged under the request's context at evaluation. */
export const IdentityResponse = z.object({
  id: z.string(),
  key: Key,
  environment: Key,
  traits: z.record(z.string(), JsonValue),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IdentityResponse = z.infer<typeof IdentityResponse>;

export const ListIdentitiesQuery = PageQuery.extend({
  /** Identities whose key starts with this, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  sort: z.enum(["key", "updatedAt", "createdAt"]).default("updatedAt"),
  order: SortOrder.default("desc"),
});
export type ListIdentitiesQuery = z.infer<typeof ListIdentitiesQuery>;

/** Replaces the identity's traits (creates the identity when the key is new). */
export const SetTraitsBody = z.object({ traits: Traits }).strict();
export type SetTraitsBody = z.infer<typeof SetTraitsBody>;

/**
 * Merges into the identity's traits: each named trait is set, `null` removes it, the others stay.
 * Creates the identity when the key is new.
 */
export const PatchTraitsBody = z
  .object({
    traits: z
      .record(z.string().min(1).max(128), JsonValue.nullable())
      .refine((traits) => Object.keys(traits).length <= MAX_TRAITS, { message: `at most ${MAX_TRAITS} traits` }),
  })
  .strict();
export type PatchTraitsBody = z.infer<typeof PatchTraitsBody>;

/** How an environment's identities spread over the values of one trait (e.g. `stage`). */
export const IdentityTraitStatsQuery = z.object({ trait: z.string().trim().min(1).max(128) }).strict();
export type IdentityTraitStatsQuery = z.infer<typeof IdentityTraitStatsQuery>;

export const IdentityTraitStats = z.object({
  trait: z.string(),
  /** Identities in the environment. */
  total: z.number().int(),
  /** Of them, those without the trait. */
  missing: z.number().int(),
  /** The most common values first, at most 50; `other` counts identities with any further value. */
  values: z.array(z.object({ value: JsonValue, count: z.number().int() })),
  other: z.number().int(),
});
export type IdentityTraitStats = z.infer<typeof IdentityTraitStats>;
