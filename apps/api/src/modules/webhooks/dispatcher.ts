import type { FastifyBaseLogger } from "fastify";
import { createTransport, type Transporter } from "nodemailer";
import type { PrismaClient } from "../../generated/prisma/client";
import { OUTBOX_CHANNEL } from "../../infra/audit";
import type { SqlRunner } from "../../infra/db/sql-runner";
import { createPeriodicJob } from "../../infra/periodic-job";
import { guardedRequest, type OutboundPolicy } from "../../infra/outbound";
import type { Sealer } from "../snapshots/sealing";
import { digestEmail, eventEmail, slackMessage, type WebhookEvent } from "./messages";
import { signatureHeader } from "./signing";

/** Webhooks fanned out per pass, events read per webhook per pass, deliveries attempted at once. */
const FAN_OUT_WEBHOOKS = 50;
const FAN_OUT_EVENTS = 1_000;
const CLAIM_BATCH = 10;
/** Deliveries attempted per pass at most, so one pass never runs away; the next pass goes on. */
const MAX_PER_PASS = 500;
/** Most events in one digest e-mail; more go in the next one. */
const DIGEST_MAX = 200;
/** Retries never wait longer than this apart. */
const MAX_BACKOFF_MS = 3_600_000;
/** What is kept of a receiver's answer or error, for the delivery log. */
const ERROR_MAX = 500;

export interface DispatcherOptions {
  prisma: PrismaClient;
  /** For the one cheap statement that tells whether a pass has anything to do. */
  sql: SqlRunner;
  sealer: Sealer;
  outbound: OutboundPolicy;
  log: Pick<FastifyBaseLogger, "warn" | "error">;
  intervalMs: number;
  /** The first retry's delay; each next one doubles, up to an hour. */
  retryBaseMs: number;
  /** How long after it was first due a delivery is retried before it is marked failed. */
  retryForMs: number;
  timeoutMs: number;
  /** How long events are kept once every webhook has passed them. */
  retentionMs: number;
  smtp: { url: string; from: string } | null;
  /** The clock: tests move it to drive retries and digests without waiting. */
  now?: () => Date;
  /** The e-mail transport; made from `smtp.url` when left out. */
  mailer?: Transporter;
  /** PostgreSQL LISTEN: with it, a committed change starts a pass at once instead of at the next interval. */
  listen?: (channel: string, handler: () => void) => Promise<() => Promise<void>>;
}

interface FanOutWebhook {
  id: string;
  workspace_id: string;
  kind: "webhook" | "slack" | "email";
  digest: "immediate" | "hourly" | "daily";
  enabled: boolean;
  event_types: string[];
  environments: string[];
  flags: string[];
  tenants: string[];
  cursor: bigint | number | string;
}

interface OutboxRow {
  id: bigint | number | string;
  type: string;
  environment_key: string | null;
  tenant_key: string | null;
  flag_key: string | null;
  created_at: Date;
}

interface Claimed {
  id: bigint | number | string;
  webhook_id: string;
  event_id: bigint | number | string;
  attempts: number;
}

interface Attempt {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

/** Whether an event passes a webhook's filters (an empty filter passes everything). */
export function matches(webhook: Pick<FanOutWebhook, "event_types" | "environments" | "flags" | "tenants">, event: Pick<OutboxRow, "type" | "environment_key" | "tenant_key" | "flag_key">): boolean {
  if (webhook.event_types.length > 0 && !webhook.event_types.some((pattern) => typeMatches(pattern, event.type))) return false;
  // Workspace-wide events (no environment) reach environment-filtered webhooks too: they change every environment.
  if (webhook.environments.length > 0 && event.environment_key !== null && !webhook.environments.includes(event.environment_key)) return false;
  if (webhook.flags.length > 0 && (event.flag_key === null || !webhook.flags.includes(event.flag_key))) return false;
  if (webhook.tenants.length > 0 && (event.tenant_key === null || !webhook.tenants.includes(event.tenant_key))) return false;
  return true;
}

function typeMatches(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** When a digest holding an event made at `at` goes out: the next full hour, or the next midnight (UTC). */
export function digestDue(at: Date, digest: "hourly" | "daily"): Date {
  const due = new Date(at);
  if (digest === "hourly") {
    due.setUTCMinutes(0, 0, 0);
    due.setUTCHours(due.getUTCHours() + 1);
  } else {
    due.setUTCHours(0, 0, 0, 0);
    due.setUTCDate(due.getUTCDate() + 1);
  }
  return due;
}

/** The wait before attempt `attempts + 1`: base, 2×base, 4×base, ... at most an hour. */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

const clip = (text: string) => (text.length > ERROR_MAX ? `${text.slice(0, ERROR_MAX - 1)}…` : text);

/**
 * Delivers the outbox: a job in every replica.
 *
 * 1. Fan-out: each webhook (claimed with `FOR UPDATE SKIP LOCKED`, so one replica at a time)
 *    reads the workspace's events past its cursor, in id order (which is commit order), and
 *    makes a delivery for each event its filters pass, moving the cursor in the same transaction.
 * 2. Delivery: due deliveries are claimed with `FOR UPDATE SKIP LOCKED`, only the oldest pending
 *    one of each webhook (so a webhook receives event n+1 only after n is delivered or failed for
 *    good), by moving their due time past the attempt (a lease: a replica that dies mid-attempt
 *    leaves it to be claimed again). The attempt then runs outside any transaction, and its
 *    outcome is recorded only while the claim is still this replica's.
 * Failed attempts are retried with exponential backoff until `retryForMs` has passed since the
 * first attempt, then the delivery is marked failed and the webhook's next event goes (with a
 * day of its own).
 */
export function createWebhookDispatcher(options: DispatcherOptions) {
  const { prisma, sealer, log, retryBaseMs, retryForMs, timeoutMs, retentionMs } = options;
  const now = options.now ?? (() => new Date());
  const send = guardedRequest(options.outbound);
  const leaseMs = timeoutMs + 60_000;
  let mailer = options.mailer;
  function mail(): Transporter | undefined {
    if (!mailer && options.smtp) mailer = createTransport(options.smtp.url);
    return mailer;
  }

  /** Makes deliveries for new events; how many. */
  async function fanOut(): Promise<number> {
    let made = 0;
    const at = now();
    await prisma.$transaction(
      async (tx) => {
        const webhooks = await tx.$queryRaw<FanOutWebhook[]>`
          SELECT w.id, w.workspace_id, w.kind::text AS kind, w.digest::text AS digest, w.enabled, w.event_types, w.environments, w.flags, w.tenants, w.cursor
          FROM webhooks w
          WHERE EXISTS (SELECT 1 FROM outbox_events e WHERE e.workspace_id = w.workspace_id AND e.id > w.cursor)
          ORDER BY w.id
          LIMIT ${FAN_OUT_WEBHOOKS}
          FOR UPDATE SKIP LOCKED`;
        for (const webhook of webhooks) {
          const events = await tx.$queryRaw<OutboxRow[]>`
            SELECT id, type, environment_key, tenant_key, flag_key, created_at FROM outbox_events
            WHERE workspace_id = ${webhook.workspace_id}::uuid AND id > ${BigInt(webhook.cursor)}
            ORDER BY id LIMIT ${FAN_OUT_EVENTS}`;
          if (events.length === 0) continue;
          // A disabled webhook lets its events pass: turned back on, it starts from then.
          const wanted = webhook.enabled ? events.filter((event) => matches(webhook, event)) : [];
          if (wanted.length > 0) {
            const ids = wanted.map((event) => BigInt(event.id));
            const due = wanted.map((event) => (webhook.kind === "email" && webhook.digest !== "immediate" ? digestDue(event.created_at, webhook.digest) : at));
            await tx.$executeRaw`
              INSERT INTO webhook_deliveries (workspace_id, webhook_id, event_id, next_attempt_at, give_up_at)
              SELECT ${webhook.workspace_id}::uuid, ${webhook.id}::uuid, e.id, e.due, e.due + make_interval(secs => ${retryForMs / 1000})
              FROM unnest(${ids}::bigint[], ${due}::timestamptz[]) AS e(id, due)
              ON CONFLICT (webhook_id, event_id) DO NOTHING`;
            made += wanted.length;
          }
          await tx.$executeRaw`UPDATE webhooks SET cursor = ${BigInt(events[events.length - 1]!.id)} WHERE id = ${webhook.id}::uuid`;
        }
      },
      { timeout: 30_000 },
    );
    return made;
  }

  /** Claims due deliveries, the oldest pending one of each webhook at most. */
  function claim(limit: number): Promise<Claimed[]> {
    const at = now();
    const leaseUntil = new Date(at.getTime() + leaseMs);
    return prisma.$queryRaw<Claimed[]>`
      UPDATE webhook_deliveries d
      SET attempts = d.attempts + 1, next_attempt_at = ${leaseUntil}, last_attempt_at = ${at},
          give_up_at = CASE WHEN d.attempts = 0 THEN ${at}::timestamptz + make_interval(secs => ${retryForMs / 1000}) ELSE d.give_up_at END
      WHERE d.id IN (
        SELECT c.id FROM webhook_deliveries c
        WHERE c.status = 'pending' AND c.next_attempt_at <= ${at}
          AND NOT EXISTS (
            SELECT 1 FROM webhook_deliveries p
            WHERE p.webhook_id = c.webhook_id AND p.status = 'pending' AND p.event_id < c.event_id
          )
        ORDER BY c.next_attempt_at, c.id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING d.id, d.webhook_id, d.event_id, d.attempts`;
  }

  /** The rest of a digest: the webhook's other pending deliveries due by now, claimed with the head. */
  function claimDigestRest(head: Claimed): Promise<Claimed[]> {
    const at = now();
    return prisma.$queryRaw<Claimed[]>`
      UPDATE webhook_deliveries d
      SET attempts = d.attempts + 1, next_attempt_at = ${new Date(at.getTime() + leaseMs)}, last_attempt_at = ${at},
          give_up_at = CASE WHEN d.attempts = 0 THEN ${at}::timestamptz + make_interval(secs => ${retryForMs / 1000}) ELSE d.give_up_at END
      WHERE d.id IN (
        SELECT c.id FROM webhook_deliveries c
        WHERE c.webhook_id = ${head.webhook_id}::uuid AND c.status = 'pending' AND c.next_attempt_at <= ${at} AND c.id <> ${BigInt(head.id)}
        ORDER BY c.event_id
        LIMIT ${DIGEST_MAX - 1}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING d.id, d.webhook_id, d.event_id, d.attempts`;
  }

  async function loadEvents(ids: (bigint | number | string)[]): Promise<WebhookEvent[]> {
    const rows = await prisma.outboxEvent.findMany({
      where: { id: { in: ids.map((id) => BigInt(id)) } },
      orderBy: { id: "asc" },
      include: { workspace: { select: { id: true, slug: true, name: true } } },
    });
    return rows.map((row) => {
      const payload = row.payload as { actor: WebhookEvent["actor"]; target: WebhookEvent["target"]; before: unknown; after: unknown };
      return {
        id: String(row.id),
        type: row.type,
        createdAt: row.createdAt.toISOString(),
        workspace: row.workspace,
        environment: row.environmentKey,
        tenant: row.tenantKey,
        flag: row.flagKey,
        actor: payload.actor,
        target: payload.target,
        before: payload.before ?? null,
        after: payload.after ?? null,
      };
    });
  }

  async function post(url: string, body: string, headers: Record<string, string>): Promise<Attempt> {
    const started = performance.now();
    try {
      const answer = await send(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Ensign-Webhooks/1", "content-length": String(Buffer.byteLength(body)), ...headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        maxResponseBytes: ERROR_MAX,
      });
      const latencyMs = Math.round(performance.now() - started);
      const ok = answer.status >= 200 && answer.status < 300;
      return { ok, status: answer.status, latencyMs, error: ok ? null : clip(`HTTP ${answer.status}: ${answer.body.toString("utf8")}`) };
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      const message = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message) : String(error);
      return { ok: false, status: null, latencyMs, error: clip(message) };
    }
  }

  async function attempt(webhook: { kind: string; url: string | null; secretSealed: string | null; recipients: string[]; digest: string }, events: WebhookEvent[], attemptNumber: number): Promise<Attempt> {
    if (webhook.kind === "email") {
      const transport = mail();
      if (!transport || !options.smtp) return { ok: false, status: null, latencyMs: 0, error: "E-mail is not set up on this server (SMTP_URL)." };
      const message = events.length === 1 && webhook.digest === "immediate" ? eventEmail(events[0]!) : digestEmail(events, webhook.digest === "daily" ? "daily" : "hourly");
      const started = performance.now();
      try {
        const info = (await transport.sendMail({
          from: options.smtp.from,
          to: webhook.recipients,
          subject: message.subject,
          text: message.text,
          headers: { "Ensign-Event-Id": events.map((event) => event.id).join(" ") },
        })) as { response?: string };
        const code = Number(/^(\d{3})/.exec(info.response ?? "250")?.[1] ?? 250);
        return { ok: true, status: code, latencyMs: Math.round(performance.now() - started), error: null };
      } catch (error) {
        const smtpCode = (error as { responseCode?: number }).responseCode ?? null;
        return { ok: false, status: smtpCode, latencyMs: Math.round(performance.now() - started), error: clip(error instanceof Error ? error.message : String(error)) };
      }
    }
    const event = events[0]!;
    if (!webhook.url) return { ok: false, status: null, latencyMs: 0, error: "The webhook has no URL." };
    if (webhook.kind === "slack") return post(webhook.url, JSON.stringify(slackMessage(event)), {});
    const body = JSON.stringify(event);
    const secret = webhook.secretSealed ? sealer.unseal(webhook.secretSealed) : undefined;
    const headers: Record<string, string> = {
      "ensign-event": event.type,
      "ensign-event-id": event.id,
      "idempotency-key": event.id,
      "ensign-delivery-attempt": String(attemptNumber),
    };
    if (secret) headers["ensign-signature"] = signatureHeader(secret, Math.floor(now().getTime() / 1000), body);
    return post(webhook.url, body, headers);
  }

  /** Records an attempt's outcome on the deliveries it covered, unless another replica has claimed them since. */
  async function record(claimed: Claimed[], outcome: Attempt): Promise<void> {
    const at = now();
    for (const delivery of claimed) {
      if (outcome.ok) {
        await prisma.$executeRaw`
          UPDATE webhook_deliveries SET status = 'delivered', response_status = ${outcome.status}, latency_ms = ${outcome.latencyMs}, error = NULL, completed_at = ${at}
          WHERE id = ${BigInt(delivery.id)} AND status = 'pending' AND attempts = ${delivery.attempts}`;
      } else {
        const retryAt = new Date(at.getTime() + backoffMs(delivery.attempts, retryBaseMs));
        await prisma.$executeRaw`
          UPDATE webhook_deliveries
          SET response_status = ${outcome.status}, latency_ms = ${outcome.latencyMs}, error = ${outcome.error},
              status = CASE WHEN give_up_at <= ${retryAt}::timestamptz THEN 'failed'::"DeliveryStatus" ELSE 'pending'::"DeliveryStatus" END,
              completed_at = CASE WHEN give_up_at <= ${retryAt}::timestamptz THEN ${at}::timestamptz ELSE NULL END,
              next_attempt_at = ${retryAt}::timestamptz
          WHERE id = ${BigInt(delivery.id)} AND status = 'pending' AND attempts = ${delivery.attempts}`;
      }
    }
  }

  async function deliver(head: Claimed): Promise<void> {
    const webhook = await prisma.webhook.findUnique({ where: { id: head.webhook_id }, select: { kind: true, url: true, secretSealed: true, recipients: true, digest: true } });
    if (!webhook) return; // deleted meanwhile: its deliveries went with it
    const claimed = webhook.kind === "email" && webhook.digest !== "immediate" ? [head, ...(await claimDigestRest(head))] : [head];
    const events = await loadEvents(claimed.map((delivery) => delivery.event_id));
    const outcome = await attempt(webhook, events, head.attempts);
    if (!outcome.ok) log.warn({ webhook: head.webhook_id, event: String(head.event_id), error: outcome.error }, "webhook delivery failed; retrying later");
    await record(claimed, outcome);
  }

  /** Removes events past retention that every webhook has passed, with their delivery log. */
  async function prune(): Promise<number> {
    const before = new Date(now().getTime() - retentionMs);
    return prisma.$executeRaw`
      DELETE FROM outbox_events e
      WHERE e.created_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.workspace_id = e.workspace_id AND w.cursor < e.id)
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`;
  }

  /**
   * Whether a pass would find anything: a webhook with events past its cursor, or a delivery
   * due. One statement on the plain driver; every committed change wakes every replica's
   * dispatcher, and most find nothing (a workspace without webhooks, another replica faster).
   */
  async function hasWork(): Promise<boolean> {
    const [row] = await options.sql.query<{ has_work: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM webhooks w WHERE EXISTS (SELECT 1 FROM outbox_events e WHERE e.workspace_id = w.workspace_id AND e.id > w.cursor))
           OR EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= $1) AS has_work`,
      [now()],
    );
    return row?.has_work === true;
  }

  /** One pass: fan out new events, then attempt what is due. */
  async function runOnce(): Promise<{ fannedOut: number; attempted: number }> {
    let fannedOut = 0;
    for (let made = -1; made !== 0; ) {
      made = await fanOut();
      fannedOut += made;
      if (fannedOut > MAX_PER_PASS) break;
    }
    let attempted = 0;
    while (attempted < MAX_PER_PASS) {
      const batch = await claim(CLAIM_BATCH);
      if (batch.length === 0) break;
      await Promise.all(batch.map((head) => deliver(head).catch((error: unknown) => log.error({ err: error, delivery: String(head.id) }, "webhook delivery could not be recorded"))));
      attempted += batch.length;
    }
    return { fannedOut, attempted };
  }

  let lastPrune = 0;
  const job = createPeriodicJob(
    "webhook dispatcher",
    async () => {
      if (await hasWork()) await runOnce();
      if (Date.now() - lastPrune > 3_600_000) {
        lastPrune = Date.now();
        await prune();
      }
    },
    { intervalMs: options.intervalMs, log },
  );

  let unlisten: (() => Promise<void>) | undefined;

  return {
    runOnce,
    hasWork,
    fanOut,
    prune,
    /** Starts the job, and listens for committed changes to start passes early. */
    async start(): Promise<void> {
      job.start();
      if (options.listen && !unlisten) unlisten = await options.listen(OUTBOX_CHANNEL, () => job.runSoon());
    },
    async stop(): Promise<void> {
      await unlisten?.();
      unlisten = undefined;
      await job.stop();
      mailer?.close();
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
