import type { Role } from "@ensign/contracts/auth";
import type { FastifyInstance } from "fastify";
import { randomBytes } from "node:crypto";
import type { Database } from "../../src/infra/db/database";
import { hashPassword } from "../../src/modules/auth/passwords";
import { generateSigningSecret } from "../../src/modules/auth/secrets";

export const PASSWORD = "correct-horse-battery";
let passwordHash: Promise<string> | undefined;

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/**
 * A workspace with development, staging and production, written as the owner connection. Its
 * environments are opted out of signed context tokens, so evaluation tests choose the context a
 * client key sends; the secure default is tested on environments made through the API.
 */
export async function createWorkspace(db: Database, slug = unique("ws")) {
  const workspace = await db.prisma.workspace.create({ data: { slug, name: slug } });
  const environments = [];
  for (const [sortOrder, key] of ["development", "staging", "production"].entries()) {
    environments.push(
      await db.prisma.environment.create({
        data: { workspaceId: workspace.id, key, name: key, sortOrder, contextSecret: generateSigningSecret(), requireContextToken: false },
      }),
    );
  }
  return { ...workspace, environments };
}

export async function createUser(db: Database, options: { email?: string; superadmin?: boolean; disabled?: boolean } = {}) {
  passwordHash ??= hashPassword(PASSWORD);
  return db.prisma.user.create({
    data: {
      email: options.email ?? `${unique("user")}@example.test`,
      name: "Test User",
      passwordHash: await passwordHash,
      isSuperadmin: options.superadmin ?? false,
      disabledAt: options.disabled ? new Date() : null,
    },
  });
}

export async function createMember(db: Database, workspaceId: string, role: Role, tenantId?: string) {
  const user = await createUser(db);
  await db.prisma.membership.create({ data: { workspaceId, userId: user.id, role, tenantId: tenantId ?? null } });
  return user;
}

export async function login(app: FastifyInstance, email: string, password = PASSWORD) {
  const response = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { accessToken: string };
  const cookie = response.cookies.find((c) => c.name === "ensign_refresh");
  return { token: body.accessToken, refreshToken: cookie?.value, headers: { authorization: `Bearer ${body.accessToken}` } };
}

/** Signs in a new member of the workspace with the role and returns its auth headers. */
export async function memberHeaders(app: FastifyInstance, db: Database, workspaceId: string, role: Role, tenantId?: string) {
  const user = await createMember(db, workspaceId, role, tenantId);
  return (await login(app, user.email)).headers;
}
