import { z } from "zod";
import { Email } from "./auth";
import { Key, Name } from "./common";
import { WorkspaceSlug } from "./workspaces";

/** Where a webhook delivers: a signed HTTP endpoint, a Slack incoming webhook, or e-mail. */
export const WEBHOOK_KINDS = ["webhook", "slack", "email"] as const;
export const WebhookKind = z.enum(WEBHOOK_KINDS);
export type WebhookKind = z.infer<typeof WebhookKind>;

/** E-mail at once (one message per event) or gathered into an hourly or daily digest. */
export const WEBHOOK_DIGESTS = ["immediate", "hourly", "daily"] as const;
export const WebhookDigest = z.enum(WEBHOOK_DIGESTS);
export type WebhookDigest = z.infer<typeof WebhookDigest>;

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** An event type (`flag_state.toggled`), or a family of them (`flag_state.*`, `*`). */
export const EventTypePattern = z
  .string()
  .regex(/^(\*|[a-z_]+\.(\*|[a-z_]+))$/, "must be an event type such as flag_state.toggled, a family such as flag_state.*, or *");

/** An http(s) URL the API may post to (checked again against the outbound policy). */
export const WebhookUrl = z
  .url({ protocol: /^https?$/, message: "must be an http or https URL" })
  .max(2000);

/** A signing secret chosen by the caller: 16 to 200 printable characters. */
export const WebhookSecret = z.string().regex(/^[\x21-\x7e]{16,200}$/, "must be 16 to 200 printable characters without spaces");

const Filters = {
  /** Event types to deliver; empty: every type. */
  eventTypes: z.array(EventTypePattern).max(50),
  /** Environments whose events to deliver; empty: all (events outside any environment always match). */
  environments: z.array(Key).max(100),
  /** Flags whose events to deliver; empty: all. Events about no flag match only when this is empty. */
  flags: z.array(Key).max(100),
  /** Tenants whose events to deliver; empty: all. Events about no tenant match only when this is empty. */
  tenants: z.array(Key).max(100),
};

export const CreateWebhookBody = z
  .object({
    kind: WebhookKind.default("webhook"),
    name: Name,
    /** The endpoint (webhook) or the Slack incoming-webhook URL; not for e-mail. */
    url: WebhookUrl.optional(),
    /** The signing secret; one is generated (and shown once) when left out. Webhooks only. */
    secret: WebhookSecret.optional(),
    /** Who gets the e-mail; e-mail only. */
    recipients: z.array(Email).max(50).default([]),
    digest: WebhookDigest.default("immediate"),
    eventTypes: Filters.eventTypes.default([]),
    environments: Filters.environments.default([]),
    flags: Filters.flags.default([]),
    tenants: Filters.tenants.default([]),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** Missing fields stay as they are. `rotateSecret` makes a new secret, shown in the answer once. */
export const UpdateWebhookBody = z
  .object({
    name: Name.optional(),
    url: WebhookUrl.optional(),
    secret: WebhookSecret.optional(),
    rotateSecret: z.boolean().optional(),
    recipients: z.array(Email).max(50).optional(),
    digest: WebhookDigest.optional(),
    eventTypes: Filters.eventTypes.optional(),
    environments: Filters.environments.optional(),
    flags: Filters.flags.optional(),
    tenants: Filters.tenants.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const WebhookParams = z.object({ workspace: WorkspaceSlug, id: z.uuid() });
export type WebhookParams = z.infer<typeof WebhookParams>;

export const DeliveryParams = WebhookParams.extend({ delivery: z.string().regex(/^[1-9][0-9]{0,17}$/, "must be a delivery id") });
export type DeliveryParams = z.infer<typeof DeliveryParams>;

/** A webhook as lists show it: never its secret. */
export const WebhookResponse = z.object({
  id: z.string(),
  kind: WebhookKind,
  name: z.string(),
  url: z.string().nullable(),
  /** Whether deliveries are signed (webhooks always are). */
  signed: z.boolean(),
  recipients: z.array(z.string()),
  digest: WebhookDigest,
  eventTypes: z.array(z.string()),
  environments: z.array(z.string()),
  flags: z.array(z.string()),
  tenants: z.array(z.string()),
  enabled: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Deliveries still being attempted, and those that gave up. */
  pending: z.number().int(),
  failed: z.number().int(),
});
export type WebhookResponse = z.infer<typeof WebhookResponse>;

/** The answer to creating a webhook or changing its secret: the only time a generated secret is shown. */
export const WebhookWithSecretResponse = WebhookResponse.extend({ secret: z.string().optional() });
export type WebhookWithSecretResponse = z.infer<typeof WebhookWithSecretResponse>;

export const DeliveryResponse = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  /** The receiver's HTTP status on the last attempt (250 for an accepted e-mail); null before one or when none came. */
  responseStatus: z.number().int().nullable(),
  /** How long the last attempt took, in milliseconds. */
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;

export const DeliveriesQuery = z
  .object({
    status: DeliveryStatus.optional(),
    /** From a previous page's `nextCursor`. */
    cursor: z.string().regex(/^[1-9][0-9]{0,17}$/).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type DeliveriesQuery = z.infer<typeof DeliveriesQuery>;

export const DeliveryPage = z.object({ items: z.array(DeliveryResponse), nextCursor: z.string().nullable() });
export type DeliveryPage = z.infer<typeof DeliveryPage>;

/** The header a signed delivery carries: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = "ensign-signature";
