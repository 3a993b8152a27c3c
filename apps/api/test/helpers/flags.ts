import type { FastifyInstance, InjectOptions } from "fastify";
import type { Database } from "../../src/infra/db/database";

export { auditOf, createModule } from "./rows";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** A caller of one workspace's flag routes with one member's headers. */
export function flagsClient(app: FastifyInstance, slug: string, headers: Record<string, string>) {
  const base = `/v1/workspaces/${slug}/flags`;
  const call = (method: Method, path: string, options: { payload?: unknown; version?: number | string; headers?: Record<string, string> } = {}) =>
    app.inject({
      method,
      url: `${base}${path}`,
      headers: { ...headers, ...(options.version === undefined ? {} : { "if-match": `"${options.version}"` }), ...options.headers },
      ...(options.payload === undefined ? {} : { payload: options.payload as InjectOptions["payload"] }),
    });
  return {
    base,
    call,
    create: (payload: Record<string, unknown>) => call("POST", "", { payload }),
    get: (key: string, env?: string) => call("GET", `/${key}${env ? `?env=${env}` : ""}`),
    list: (query = "") => call("GET", query ? `?${query}` : ""),
    patch: (key: string, version: number, payload: Record<string, unknown>) => call("PATCH", `/${key}`, { payload, version }),
    state: (key: string, env: string) => call("GET", `/${key}/environments/${env}`),
    patchState: (key: string, env: string, version: number, payload: Record<string, unknown>) => call("PATCH", `/${key}/environments/${env}`, { payload, version }),
    toggle: (key: string, env: string, version: number, enabled: boolean) => call("PUT", `/${key}/environments/${env}/enabled`, { payload: { enabled }, version }),
    addRule: (key: string, env: string, version: number, payload: Record<string, unknown>) => call("POST", `/${key}/environments/${env}/rules`, { payload, version }),
  };
}

export type FlagsClient = ReturnType<typeof flagsClient>;

export async function createTenants(db: Database, workspaceId: string, keys: string[]) {
  await db.prisma.tenant.createMany({ data: keys.map((key) => ({ workspaceId, key, name: key })) });
  return db.prisma.tenant.findMany({ where: { workspaceId, key: { in: keys } } });
}

export function createSegment(db: Database, workspaceId: string, key: string) {
  return db.prisma.segment.create({ data: { workspaceId, key, name: key } });
}

