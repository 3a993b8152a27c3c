import fastifyJwt from "@fastify/jwt";
import type { TokenRole } from "@ensign/contracts/access-tokens";
import { can, type Capability, type Role } from "@ensign/contracts/auth";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { accessTokenKindOf } from "../modules/auth/secrets";
import { AppError } from "./errors";

export interface UserPrincipal {
  userId: string;
  /** The sign-in session; null when a personal access token authenticated the request. */
  sessionId: string | null;
  email: string;
  name: string;
  isSuperadmin: boolean;
  /** The personal access token that authenticated the request, if one did. */
  token?: { id: string; name: string; maxRole: Role | null };
}

/** A workspace's service token: acts with its role, in its workspace only. */
export interface ServiceTokenPrincipal {
  id: string;
  name: string;
  workspaceId: string;
  role: TokenRole;
  /** When set, the one environment whose state it may change. */
  environment: { id: string; key: string } | null;
}

/** The workspace a request acts in, and the caller's standing there. */
export interface WorkspaceScope {
  workspaceId: string;
  workspaceSlug: string;
  workspaceName: string;
  /** The caller's role; superadmins act as owners. */
  role: Role;
  /** Set for tenant admins: the one tenant they may manage. */
  tenantId: string | null;
}

interface AccessTokenPayload {
  sub: string;
  sid: string;
  typ: "access";
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module "@fastify/jwt" {
  interface FastifyJWT {
    payload: AccessTokenPayload;
    user: AccessTokenPayload;
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /**
     * Requires a user: a valid access token of an active session, or a personal access token;
     * sets `request.principal`. Service tokens are refused (they act only in their workspace).
     */
    authenticate: Guard;
    /** Requires a signed-in session: personal access tokens cannot manage tokens or the account. */
    requireSession: Guard;
    /** Authenticates, resolves `:workspace`, and requires the capability there; sets `request.scope`. */
    requireCapability(capability: Capability): Guard;
    /** Authenticates and requires a platform superadmin. */
    requireSuperadmin: Guard;
    signAccessToken(principal: { userId: string; sessionId: string }): string;
  }
  interface FastifyRequest {
    principal?: UserPrincipal;
    serviceToken?: ServiceTokenPrincipal;
    scope?: WorkspaceScope;
  }
}

export interface AuthPluginOptions {
  secret: string;
  accessTokenTtlMs: number;
}

const unauthenticated = (message = "Sign in to continue.") => new AppError("UNAUTHENTICATED", message);

const RANK: Partial<Record<Role, number>> = { owner: 4, admin: 3, editor: 2, viewer: 1 };

/**
 * The role a caller acts with: their own, narrowed by a personal token's `maxRole`. A narrowed
 * token never acts as a tenant admin (that role is outside the workspace ranks): undefined.
 */
export function effectiveRole(role: Role, maxRole: Role | null | undefined): Role | undefined {
  if (!maxRole) return role;
  const own = RANK[role];
  if (own === undefined) return undefined;
  return own <= RANK[maxRole]! ? role : maxRole;
}

export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthPluginOptions) => {
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { algorithm: "HS256", expiresIn: Math.floor(options.accessTokenTtlMs / 1000) },
      verify: { algorithms: ["HS256"] },
    });

    app.decorate("signAccessToken", ({ userId, sessionId }: { userId: string; sessionId: string }) =>
      app.jwt.sign({ sub: userId, sid: sessionId, typ: "access" }),
    );

    /** Sets `request.principal` (a session or a personal token) or `request.serviceToken`. */
    const identify: Guard = async (request) => {
      if (request.principal || request.serviceToken) return;
      const header = request.headers.authorization;
      if (!header?.startsWith("Bearer ")) throw unauthenticated();
      const credential = header.slice("Bearer ".length).trim();
      const kind = accessTokenKindOf(credential);
      if (kind === "personal") {
        const token = await app.services.personalTokens.authenticate(credential);
        if (!token) throw unauthenticated("The access token is not valid, has expired or was revoked.");
        request.principal = {
          userId: token.user.id,
          sessionId: null,
          email: token.user.email,
          name: token.user.name,
          isSuperadmin: token.user.isSuperadmin,
          token: { id: token.id, name: token.name, maxRole: token.maxRole },
        };
        return;
      }
      if (kind === "service") {
        const token = await app.services.serviceTokens.authenticate(credential);
        if (!token) throw unauthenticated("The service token is not valid, has expired or was revoked.");
        request.serviceToken = {
          id: token.id,
          name: token.name,
          workspaceId: token.workspaceId,
          role: token.role as TokenRole,
          environment: token.environmentId && token.environment ? { id: token.environmentId, key: token.environment.key } : null,
        };
        return;
      }
      let payload: AccessTokenPayload;
      try {
        payload = await request.jwtVerify<AccessTokenPayload>();
      } catch (error) {
        const expired = (error as { code?: string }).code === "FST_JWT_AUTHORIZATION_TOKEN_EXPIRED";
        throw unauthenticated(expired ? "The access token has expired; refresh it." : "The access token is not valid.");
      }
      if (payload.typ !== "access" || typeof payload.sid !== "string" || typeof payload.sub !== "string") {
        throw unauthenticated("The access token is not valid.");
      }
      const user = await app.services.auth.activeUser(payload.sid);
      if (!user || user.id !== payload.sub) throw unauthenticated("The session has ended; sign in again.");
      request.principal = {
        userId: user.id,
        sessionId: payload.sid,
        email: user.email,
        name: user.name,
        isSuperadmin: user.isSuperadmin,
      };
    };

    const authenticate: Guard = async (request, reply) => {
      await identify(request, reply);
      if (!request.principal) throw new AppError("FORBIDDEN", "A service token acts only on its own workspace's routes.");
    };
    app.decorate("authenticate", authenticate);

    app.decorate("requireSession", async (request: FastifyRequest, reply: FastifyReply) => {
      await authenticate(request, reply);
      if (request.principal!.sessionId === null) throw new AppError("FORBIDDEN", "Sign in to do this: an access token cannot.");
    });

    app.decorate("requireSuperadmin", async (request: FastifyRequest, reply: FastifyReply) => {
      await authenticate(request, reply);
      const principal = request.principal!;
      // A superadmin's narrowed token is no longer a superadmin's.
      if (!principal.isSuperadmin || principal.token?.maxRole) throw new AppError("FORBIDDEN", "Only platform superadmins may do this.");
    });

    app.decorate("requireCapability", (capability: Capability): Guard => {
      return async (request, reply) => {
        await identify(request, reply);
        const slug = (request.params as { workspace?: string }).workspace;
        if (!slug) throw new AppError("NOT_FOUND", "No workspace in the path.");
        if (request.serviceToken) {
          request.scope = await serviceTokenScope(request, request.serviceToken, slug, capability);
          return;
        }
        const principal = request.principal!;
        const workspace = await app.services.auth.membershipIn(principal.userId, slug);
        const membership = workspace?.memberships[0];
        // Not a member looks the same as no such workspace: slugs do not leak.
        if (!workspace || (!membership && !principal.isSuperadmin)) {
          throw new AppError("NOT_FOUND", `Workspace '${slug}' was not found.`);
        }
        const own: Role = principal.isSuperadmin ? "owner" : membership!.role;
        const role = effectiveRole(own, principal.token?.maxRole);
        if (!role || !can(role, capability)) {
          throw new AppError("FORBIDDEN", `Your role (${role ?? own}${principal.token?.maxRole ? `, token limited to ${principal.token.maxRole}` : ""}) does not allow this (${capability}).`);
        }
        request.scope = {
          workspaceId: workspace.id,
          workspaceSlug: workspace.slug,
          workspaceName: workspace.name,
          role,
          tenantId: principal.isSuperadmin ? null : (membership?.tenantId ?? null),
        };
      };
    });

    /**
     * A service token's scope: its own workspace only (any other does not exist for it), its
     * role's capabilities, and, when bound to an environment, no change outside that one
     * environment (a route without an environment in its path changes the whole workspace).
     */
    async function serviceTokenScope(request: FastifyRequest, token: ServiceTokenPrincipal, slug: string, capability: Capability): Promise<WorkspaceScope> {
      const workspace = await app.services.auth.workspaceBySlug(slug);
      if (!workspace || workspace.id !== token.workspaceId) throw new AppError("NOT_FOUND", `Workspace '${slug}' was not found.`);
      if (!can(token.role, capability)) {
        throw new AppError("FORBIDDEN", `The service token's role (${token.role}) does not allow this (${capability}).`);
      }
      const env = (request.params as { env?: string }).env;
      if (token.environment && capability !== "workspace:read" && env !== token.environment.key) {
        throw new AppError("FORBIDDEN", `The service token may only change the '${token.environment.key}' environment.`);
      }
      return { workspaceId: workspace.id, workspaceSlug: workspace.slug, workspaceName: workspace.name, role: token.role, tenantId: null };
    }
  },
  { name: "auth", dependencies: ["services"] },
);

/** The scope a guarded route runs in; a route without a workspace guard has none. */
export function scopeOf(request: FastifyRequest): WorkspaceScope {
  if (!request.scope) throw new Error("Route is missing its workspace guard");
  return request.scope;
}

export function principalOf(request: FastifyRequest): UserPrincipal {
  if (!request.principal) throw new Error("Route is missing its authentication guard");
  return request.principal;
}
