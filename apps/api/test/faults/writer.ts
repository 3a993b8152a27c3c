import { Agent, request } from "node:http";
import type { Database } from "../../src/infra/db/database";

export interface WriteAttempt {
  /** Sent as `x-request-id`: the audit entry of the write carries it. */
  requestId: string;
  kind: "toggle" | "override";
  via: string;
  startedAt: number;
  endedAt?: number;
  status?: number;
  /** The error code of a non-2xx answer in the one error shape, or `malformed`. */
  errorCode?: string;
  /** No HTTP answer at all (the connection was refused or dropped). */
  dropped?: string;
  /** Sent again to the other replica (the code why): the first refused the connection, or reset a kept-alive one used before, with no answer. */
  retried?: string;
  enabled?: boolean;
  tenant?: string;
  variant?: string;
}

export interface WriterOptions {
  /** The replicas' base URLs; writes go round-robin. */
  targets: string[];
  token: string;
  workspace: string;
  toggleFlag: string;
  overrideFlag: string;
  environment: string;
  /** Unused tenant keys, one per override write. */
  tenants: string[];
  everyMs: number;
  prefix: string;
}

export const isAcknowledged = (attempt: WriteAttempt) => attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;

type Sent =
  | { kind: "answer"; status: number; json: Record<string, unknown> | undefined }
  | { kind: "failed"; code: string | undefined; message: string; reusedSocket: boolean };

/** Kept-alive connections, as a browser holds them. */
const agent = new Agent({ keepAlive: true });

/**
 * One request over node:http, which says whether it went out on a kept-alive connection used
 * before (`reusedSocket`): a reset there, before any answer, is most often the connection's race
 * with the server closing it while idle, not a request the server dropped.
 */
function send(url: string, method: string, body: string, headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method, agent, timeout: 30_000, headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ kind: "answer", status: res.statusCode ?? 0, json });
        });
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "failed", code: error.code, message: error.message, reusedSocket: false }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("no answer within 30 s"), { code: "ETIMEDOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "failed", code: error.code, message: error.message, reusedSocket: req.reusedSocket }));
    req.end(body);
  });
}

/**
 * Admin writes at a steady pace through the REST API, as an admin's browser makes them:
 * alternately a kill-switch toggle (with `If-Match`, one at a time) and a new tenant override.
 * Each is recorded with its answer; none waits for the one before (a slow answer does not slow
 * the pace).
 */
export function startWriter(options: WriterOptions) {
  const attempts: WriteAttempt[] = [];
  const pending = new Set<Promise<void>>();
  const auth = { authorization: `Bearer ${options.token}` };
  const stateUrl = (target: string) =>
    `${target}/v1/workspaces/${options.workspace}/flags/${options.toggleFlag}/environments/${options.environment}`;
  let n = 0;
  let toggleState: { version: number; enabled: boolean } | undefined;
  let isToggling = false;

  /** The other replica's URL for the same path: a refused connection sent nothing, so trying elsewhere is safe. */
  const elsewhere = (url: string, from: string) => {
    const other = options.targets.find((target) => target !== from);
    return other ? url.replace(from, other) : undefined;
  };

  async function call(attempt: WriteAttempt, url: string, method: string, body: unknown, headers: Record<string, string> = {}, isRetry = false): Promise<Record<string, unknown> | undefined> {
    const sent = await send(url, method, JSON.stringify(body), { ...auth, ...headers, "x-request-id": attempt.requestId });
    attempt.endedAt = performance.now();
    if (sent.kind === "answer") {
      attempt.status = sent.status;
      const json = sent.json;
      if (!isAcknowledged(attempt)) {
        const error = json?.error as { code?: unknown; message?: unknown; requestId?: unknown } | undefined;
        attempt.errorCode = error && typeof error.code === "string" && typeof error.message === "string" && error.requestId === attempt.requestId ? error.code : "malformed";
      }
      return json;
    }
    // Refused: nothing was sent. Reset before any answer on a kept-alive connection used before:
    // what a connection looks like that the replica closed as idle as the request went out (a
    // stopping replica closes only idle ones), and what a browser sends again. Both writes are
    // PUTs, safe to send twice even where the first was read (a killed replica): a toggle's
    // If-Match then answers 412. Either way, the other replica gets it, once.
    const retryUrl = elsewhere(url, attempt.via);
    if ((sent.code === "ECONNREFUSED" || (sent.code === "ECONNRESET" && sent.reusedSocket)) && !isRetry && retryUrl) {
      attempt.retried = sent.code;
      attempt.via = options.targets.find((target) => target !== attempt.via)!;
      return call(attempt, retryUrl, method, body, headers, true);
    }
    attempt.dropped = `${sent.message}${sent.code ? ` (${sent.code})` : ""}${sent.reusedSocket ? " on a kept-alive connection" : ""}`;
    return undefined;
  }

  async function refreshToggle(target: string) {
    try {
      const res = await fetch(stateUrl(target), { headers: auth, signal: AbortSignal.timeout(10_000) });
      if (res.ok) {
        const body = (await res.json()) as { version: number; enabled: boolean };
        toggleState = { version: body.version, enabled: body.enabled };
      }
    } catch {
      // tried again before the next toggle
    }
  }

  async function toggle(attempt: WriteAttempt) {
    isToggling = true;
    try {
      if (!toggleState) await refreshToggle(attempt.via);
      if (!toggleState) {
        attempt.dropped = "state unknown";
        attempt.endedAt = performance.now();
        return;
      }
      attempt.enabled = !toggleState.enabled;
      const body = await call(attempt, `${stateUrl(attempt.via)}/enabled`, "PUT", { enabled: attempt.enabled }, { "if-match": `"${toggleState.version}"` });
      if (isAcknowledged(attempt) && typeof body?.version === "number") toggleState = { version: body.version, enabled: body.enabled === true };
      // Refused or unanswered: it may still have committed; a 412 on the next toggle says so.
      else if (attempt.status === 412) toggleState = undefined;
    } finally {
      isToggling = false;
    }
  }

  async function override(attempt: WriteAttempt) {
    const tenant = options.tenants.shift();
    if (!tenant) throw new Error("the writer ran out of tenants");
    attempt.tenant = tenant;
    attempt.variant = n % 4 < 2 ? "on" : "off";
    const url = `${attempt.via}/v1/workspaces/${options.workspace}/flags/${options.overrideFlag}/environments/${options.environment}/tenant-overrides/${tenant}`;
    await call(attempt, url, "PUT", { variant: attempt.variant });
  }

  const timer = setInterval(() => {
    const i = n++;
    const via = options.targets[i % options.targets.length]!;
    const kind = i % 2 === 0 && !isToggling ? "toggle" : "override";
    const attempt: WriteAttempt = { requestId: `${options.prefix}-${i}`, kind, via, startedAt: performance.now() };
    attempts.push(attempt);
    const done = (kind === "toggle" ? toggle(attempt) : override(attempt)).finally(() => pending.delete(done));
    pending.add(done);
  }, options.everyMs);

  return {
    attempts,
    /** Stops writing and waits for every answer. */
    async stop(): Promise<WriteAttempt[]> {
      clearInterval(timer);
      await Promise.all(pending);
      return attempts;
    },
  };
}

export interface WriteCheck {
  acknowledged: number;
  presentWithAudit: number;
  /** Acknowledged writes missing from PostgreSQL, or present without their audit entry. */
  lost: string[];
  /** Changes in PostgreSQL without an audit entry: must stay empty. */
  unaudited: string[];
}

/**
 * Checks the attempts against PostgreSQL: every acknowledged write is there with its audit entry
 * (found by the request id the write carried), and nothing in the written flag state and
 * overrides exists without an audit entry.
 */
export async function checkWrites(
  db: Database,
  scope: { workspaceId: string; environmentId: string; toggleFlagId: string; overrideFlagId: string; toggleBaseVersion: number },
  attempts: WriteAttempt[],
): Promise<WriteCheck> {
  const acknowledged = attempts.filter(isAcknowledged);
  const audits = await db.prisma.auditEntry.findMany({ where: { workspaceId: scope.workspaceId, requestId: { in: attempts.map((a) => a.requestId) } } });
  const byRequest = new Map(audits.map((entry) => [entry.requestId!, entry]));
  const overrides = await db.prisma.tenantOverride.findMany({
    where: { workspaceId: scope.workspaceId, flagId: scope.overrideFlagId, environmentId: scope.environmentId },
    include: { tenant: { select: { key: true } } },
  });
  const overrideOf = new Map(overrides.map((row) => [row.tenant.key, row]));
  const lost: string[] = [];
  for (const attempt of acknowledged) {
    const audit = byRequest.get(attempt.requestId);
    if (attempt.kind === "toggle") {
      const after = audit?.after as { enabled?: boolean } | null | undefined;
      if (!audit || audit.action !== "flag_state.toggled" || after?.enabled !== attempt.enabled) lost.push(`${attempt.requestId}: toggle to ${attempt.enabled} has no matching audit entry`);
    } else {
      const row = overrideOf.get(attempt.tenant!);
      if (!row || row.variant !== attempt.variant) lost.push(`${attempt.requestId}: override for ${attempt.tenant} is missing`);
      else if (!audit || audit.targetType !== "tenant_override" || audit.targetId !== row.id) lost.push(`${attempt.requestId}: override for ${attempt.tenant} has no audit entry`);
    }
  }

  const unaudited: string[] = [];
  const overrideAudits = await db.prisma.auditEntry.findMany({
    where: { workspaceId: scope.workspaceId, targetType: "tenant_override", targetId: { in: overrides.map((row) => row.id) } },
    select: { targetId: true },
  });
  const audited = new Set(overrideAudits.map((entry) => entry.targetId));
  for (const row of overrides) if (!audited.has(row.id)) unaudited.push(`override for ${row.tenant.key} has no audit entry`);
  const state = await db.prisma.flagState.findUniqueOrThrow({ where: { flagId_environmentId: { flagId: scope.toggleFlagId, environmentId: scope.environmentId } } });
  const toggles = await db.prisma.auditEntry.count({ where: { workspaceId: scope.workspaceId, action: "flag_state.toggled", targetId: scope.toggleFlagId, environmentId: scope.environmentId } });
  if (toggles !== state.version - scope.toggleBaseVersion) unaudited.push(`flag state at version ${state.version} (from ${scope.toggleBaseVersion}) has ${toggles} toggle audit entries`);

  return { acknowledged: acknowledged.length, presentWithAudit: acknowledged.length - lost.length, lost, unaudited };
}
