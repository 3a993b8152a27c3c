import type { Role } from "@ensign/contracts/auth";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import type { TestApp } from "./app";
import { createWorkspace, memberHeaders, unique } from "./fixtures";
import * as rows from "./rows";

export type Caller = Role | "outsider";
export const CALLERS: Caller[] = ["owner", "admin", "editor", "viewer", "tenant_admin", "outsider"];
export type Headers = Record<string, string>;

/** A workspace, a second one, and signed-in callers of every role (the outsider owns the second). */
export async function adminWorld(t: TestApp) {
  const ws = await createWorkspace(t.db);
  const other = await createWorkspace(t.db);
  const tenant = await t.db.prisma.tenant.create({ data: { workspaceId: ws.id, key: unique("tenant"), name: "Tenant" } });
  const headers = {} as Record<Caller, Headers>;
  for (const role of ["owner", "admin", "editor", "viewer"] as const) headers[role] = await memberHeaders(t.app, t.db, ws.id, role);
  headers.tenant_admin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", tenant.id);
  headers.outsider = await memberHeaders(t.app, t.db, other.id, "owner");
  return { ws, other, tenant, headers };
}

export interface RouteCase {
  name: string;
  method: InjectOptions["method"];
  url: string;
  payload?: unknown;
  headers?: Headers;
  /** Roles that pass the guard. */
  allowed: readonly Caller[];
  /** What an allowed caller gets from this request (a bad body keeps writes from writing). */
  allowedStatus: number;
}

/**
 * Runs the role matrix of every route: allowed roles get `allowedStatus`, the others 403, a
 * member of another workspace 404 (the workspace does not exist for them), nobody at all 401.
 */
export async function expectRoleMatrix(t: TestApp, headers: Record<Caller, Headers>, cases: RouteCase[]) {
  const table: string[] = [];
  for (const c of cases) {
    for (const caller of CALLERS) {
      const expected = caller === "outsider" ? 404 : c.allowed.includes(caller) ? c.allowedStatus : 403;
      const res = await t.app.inject({ method: c.method, url: c.url, payload: c.payload as InjectOptions["payload"], headers: { ...c.headers, ...headers[caller] } });
      if (res.statusCode !== expected) table.push(`${c.name} as ${caller}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    const anonymous = await t.app.inject({ method: c.method, url: c.url, payload: c.payload as InjectOptions["payload"], headers: c.headers });
    if (anonymous.statusCode !== 401) table.push(`${c.name} anonymously: expected 401, got ${anonymous.statusCode}`);
  }
  expect(table).toEqual([]);
}

/** The `path`s of a 400's field issues. */
export function issuePaths(res: LightMyRequestResponse): string[] {
  expect(res.statusCode).toBe(400);
  return (res.json().error.details.issues as { path: string }[]).map((issue) => issue.path);
}

/** Everything in the audit table, as one string: for asserting what it never holds. */
export async function allAuditText(t: TestApp): Promise<string> {
  const rows = await t.db.prisma.auditEntry.findMany();
  return JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? String(value) : value));
}

export const ifMatch = (version: number | string) => ({ "if-match": `"${version}"` });

/** Each request of a malformed-input volley answers 4xx in the one error shape, never 5xx. */
export async function expectNo5xx(t: TestApp, headers: Headers, requests: InjectOptions[]) {
  const failures: string[] = [];
  for (const request of requests) {
    const res = await t.app.inject({ ...request, headers: { ...request.headers, ...headers } });
    const body = res.body ? res.json() : undefined;
    if (res.statusCode >= 500 || (res.statusCode >= 400 && !body?.error?.code)) {
      failures.push(`${request.method} ${request.url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
  }
  expect(failures).toEqual([]);
}

/** A boolean flag on in these environments, serving `on` to everyone, with its state rows in their order. */
export async function createFlag(
  t: TestApp,
  workspaceId: string,
  key: string,
  environmentIds: string[],
  options: { moduleId?: string; enabled?: boolean } = {},
) {
  const state = { enabled: options.enabled ?? true, fallthrough: { variant: "on" } };
  const flag = await rows.createFlag(t.db, workspaceId, { key, moduleId: options.moduleId, salt: "salt", states: Object.fromEntries(environmentIds.map((id) => [id, state])) });
  const held = await t.db.prisma.flagState.findMany({ where: { flagId: flag.id } });
  return { ...flag, states: environmentIds.map((id) => held.find((row) => row.environmentId === id)!) };
}

/**
 * Every audit entry a test's requests wrote in the workspace names its actor (user id, email,
 * role), where the request came from (IP, user agent, request id), and never a secret.
 */
export async function expectCompleteAudit(t: TestApp, workspaceId: string, secrets: string[] = []) {
  const entries = await t.db.prisma.auditEntry.findMany({ where: { workspaceId, requestId: { not: null } } });
  expect(entries.length).toBeGreaterThan(0);
  const incomplete = entries
    .filter((e) => e.actorType !== "user" || !e.actorId || !e.actorEmail || !e.actorRole || e.ip !== "127.0.0.1" || !e.userAgent)
    .map((e) => `${e.action} by ${e.actorEmail ?? "?"}`);
  expect(incomplete).toEqual([]);
  const text = JSON.stringify(entries, (_key, value) => (typeof value === "bigint" ? String(value) : value));
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/scrypt\$|ens_(srv|cli)_[A-Za-z0-9_-]{43}|ecs_[A-Za-z0-9_-]{43}/);
}
