import { z } from "zod";
import { Description, FlagKey, Key, Name, PageQuery, SortOrder } from "./common";
import { KeyList, LIMITS, SegmentRule } from "./targeting";
import { WorkspaceSlug } from "./workspaces";

/** Rules of a segment: the context is in it when any rule's conditions all hold. */
export const SegmentRules = z.array(SegmentRule).max(LIMITS.rulesPerFlag);

export const SegmentParams = z.object({ workspace: WorkspaceSlug, segment: Key });
export type SegmentParams = z.infer<typeof SegmentParams>;

/** A flag rule that reads the segment through `in_segment`. */
export const SegmentUsage = z.object({ flagKey: FlagKey, environments: z.array(Key) });
export type SegmentUsage = z.infer<typeof SegmentUsage>;

export const SegmentResponse = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  description: z.string(),
  includedUsers: z.array(z.string()),
  excludedUsers: z.array(z.string()),
  includedTenants: z.array(z.string()),
  excludedTenants: z.array(z.string()),
  rules: z.array(SegmentRule),
  /** How many flags have a rule (in any environment) that reads this segment. */
  usedByFlags: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SegmentResponse = z.infer<typeof SegmentResponse>;

/** One segment, with the flags that read it. */
export const SegmentDetailResponse = SegmentResponse.extend({ usedBy: z.array(SegmentUsage) });
export type SegmentDetailResponse = z.infer<typeof SegmentDetailResponse>;

export const ListSegmentsQuery = PageQuery.extend({
  /** Matches key or name, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  /** Segments that list this user key or tenant key explicitly (included or excluded). */
  member: Key.optional(),
  sort: z.enum(["key", "name", "createdAt", "updatedAt"]).default("key"),
  order: SortOrder.default("asc"),
});
export type ListSegmentsQuery = z.infer<typeof ListSegmentsQuery>;

export const CreateSegmentBody = z
  .object({
    key: Key,
    name: Name,
    description: Description.optional(),
    includedUsers: KeyList.default([]),
    excludedUsers: KeyList.default([]),
    includedTenants: KeyList.default([]),
    excludedTenants: KeyList.default([]),
    rules: SegmentRules.default([]),
  })
  .strict();
export type CreateSegmentBody = z.infer<typeof CreateSegmentBody>;

/** Missing fields stay; lists and rules are replaced whole; `description: null` clears it. */
export const UpdateSegmentBody = z
  .object({
    name: Name.optional(),
    description: Description.nullable().optional(),
    includedUsers: KeyList.optional(),
    excludedUsers: KeyList.optional(),
    includedTenants: KeyList.optional(),
    excludedTenants: KeyList.optional(),
    rules: SegmentRules.optional(),
  })
  .strict();
export type UpdateSegmentBody = z.infer<typeof UpdateSegmentBody>;
