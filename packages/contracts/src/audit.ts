import { z } from "zod";
import { FlagKey, IsoDateTime, Key } from "./common";
import { JsonValue } from "./targeting";
import { WorkspaceSlug } from "./workspaces";

export const ACTOR_TYPES = ["user", "api_key", "personal_token", "service_token", "system"] as const;

/** One entry of the append-only audit log. */
export const AuditEntryResponse = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({
    type: z.enum(ACTOR_TYPES),
    /** The user, the API key, or the access token (`personal_token`, `service_token`). */
    id: z.string().nullable(),
    /** For a personal token: the user it acted for. */
    userId: z.string().nullable(),
    /** For an access token: its name. */
    name: z.string().nullable(),
    email: z.string().nullable(),
    role: z.string().nullable(),
  }),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  environment: z.string().nullable(),
  tenant: z.string().nullable(),
  /** `flag.created`, `environment.deleted`, `api_key.revoked`, ... */
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetKey: z.string().nullable(),
  /** The changed fields as they were, and as they became (JSON; null when there is none). */
  before: JsonValue,
  after: JsonValue,
});
export type AuditEntryResponse = z.infer<typeof AuditEntryResponse>;

/** Newest first. `nextCursor` fetches the entries after the last one of this page; null at the end. */
export const AuditPage = z.object({
  items: z.array(AuditEntryResponse),
  total: z.number().int(),
  pageSize: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

const AuditFilters = z.object({
  /** Opaque: `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  /** Entries about this flag: its definition, state, rules and schedules, and its tenant and user overrides. */
  flag: FlagKey.optional(),
  /** Entries about this tenant. */
  tenant: Key.optional(),
  /**
   * A user id (their own changes and their personal tokens'), an email address
   * (case-insensitive), or an access token's id.
   */
  actor: z.string().trim().min(1).max(254).optional(),
  /** An exact action (`flag.created`), or a prefix ending in `.` or `*` (`flag.`, `tenant_override*`). */
  action: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(100).optional(),
  environment: Key.optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});

export const ListAuditQuery = AuditFilters.refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
  message: "'from' must not be after 'to'",
  path: ["from"],
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

/** A flag's history: the same filters, the flag taken from the path. */
export const FlagAuditQuery = AuditFilters.omit({ flag: true, targetType: true });
export type FlagAuditQuery = z.infer<typeof FlagAuditQuery>;

export const FlagAuditParams = z.object({ workspace: WorkspaceSlug, key: FlagKey });

/** Longest audit retention period that can be set: a hundred years. */
export const MAX_AUDIT_RETENTION_DAYS = 36_500;

/** How long a workspace keeps its audit entries: `days`, or forever when `null` (the default). */
export const AuditRetention = z.object({
  days: z.number().int().min(1).max(MAX_AUDIT_RETENTION_DAYS).nullable(),
});
export type AuditRetention = z.infer<typeof AuditRetention>;

export const SetAuditRetentionBody = AuditRetention.strict();
export type SetAuditRetentionBody = z.infer<typeof SetAuditRetentionBody>;

/** Expired entries exported as JSON Lines (one `AuditEntryResponse` per line) before they were purged. */
export const AuditExportResponse = z.object({
  id: z.string(),
  createdAt: z.string(),
  /** The oldest and the newest entry's time. */
  from: z.string(),
  to: z.string(),
  entryCount: z.number().int(),
  /** Size of the JSON Lines download. */
  bytes: z.number().int(),
});
export type AuditExportResponse = z.infer<typeof AuditExportResponse>;

export const AuditExportParams = z.object({ workspace: WorkspaceSlug, id: z.uuid() });
export type AuditExportParams = z.infer<typeof AuditExportParams>;
