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
    try {
      const res = await fetch(url, {
        method,
        headers: { ...auth, ...headers, "content-type": "application/json", "x-request-id": attempt.requestId },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      attempt.status = res.status;
      const json = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      if (!isAcknowledged(attempt)) {
        const error = json?.error as { code?: unknown; message?: unknown; requestId?: unknown } | undefined;
        attempt.errorCode = error && typeof error.code === "string" && typeof error.message === "string" && error.requestId === attempt.requestId ? error.code : "malformed";
      }
      return json;
    } catch (error) {
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      const retryUrl = elsewhere(url, attempt.via);
      if (code === "ECONNREFUSED" && !isRetry && retryUrl) {
        attempt.via = options.targets.find((target) => target !== attempt.via)!;
        return call(attempt, retryUrl, method, body, headers, true);
      }
      attempt.dropped = `${(error as Error).message}${code ? ` (${code})` : ""}`;
      return undefined;
    } finally {
      attempt.endedAt = performance.now();
    }
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
