import { z } from "zod";

/** Flag keys: lowercase, digits, `_`, `.`, `-`; at most 128 characters. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
/** Keys of tenants, users, segments, modules, variants and environments. */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

export const FlagKey = z
  .string()
  .regex(FLAG_KEY_PATTERN, "must start with a lowercase letter or digit and contain only a-z, 0-9, '_', '.', '-' (max 128)");
export const Key = z
  .string()
  .regex(KEY_PATTERN, "must start with a letter or digit and contain only letters, digits, '_', '.', ':', '@', '-' (max 128)");
export const Id = z.string().min(1).max(64);
export const Name = z.string().trim().min(1).max(200);
export const Description = z.string().max(5000);
export const IsoDateTime = z.iso.datetime({ offset: true });

/** One error shape for every failure of every route. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A bad field of a request: where it is and what is wrong with it. */
export const FieldIssue = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "UNAUTHENTICATED",
  "INVALID_CREDENTIALS",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "ALREADY_EXISTS",
  "PRECONDITION_REQUIRED",
  "VERSION_MISMATCH",
  "PAYLOAD_TOO_LARGE",
  "LIMIT_EXCEEDED",
  "UNSUPPORTED_MEDIA_TYPE",
  "RATE_LIMITED",
  "FEATURE_LOCKED",
  "FEATURE_DISABLED",
  "FEATURE_NOT_MANAGEABLE",
  "MODULE_DISABLED",
  "DEPENDENCY_NOT_MET",
  "HAS_DEPENDANTS",
  "PREREQUISITE_CYCLE",
  "ROLE_CYCLE",
  "FLAG_DEPRECATED",
  "LINK_EXPIRED",
  "LINK_USED",
  "LINK_REVOKED",
  "SERVICE_UNAVAILABLE",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of a list, with the total count of matching items. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
}
export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

export const SortOrder = z.enum(["asc", "desc"]);

/** Query-string booleans: `true`/`false`/`1`/`0`. */
export const QueryBoolean = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");
