import fastifyJwt from "@fastify/jwt";
import { can, type Capability, type Role } from "@ensign/contracts/auth";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { AppError } from "./errors";

export interface UserPrincipal {
  userId: string;
  sessionId: string;
  email: string;
  name: string;
  isSuperadmin: boolean;
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
    /** Requires a valid access token of an active session; sets `request.principal`. */
    authenticate: Guard;
    /** Authenticates, resolves `:workspace`, and requires the capability there; sets `request.scope`. */
    requireCapability(capability: Capability): Guard;
    /** Authenticates and requires a platform superadmin. */
    requireSuperadmin: Guard;
    signAccessToken(principal: { userId: string; sessionId: string }): string;
  }
  interface FastifyRequest {
    principal?: UserPrincipal;
    scope?: WorkspaceScope;
  }
}

export interface AuthPluginOptions {
  secret: string;
  accessTokenTtlMs: number;
}

const unauthenticated = (message = "Sign in to continue.") => new AppError("UNAUTHENTICATED", message);

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

    const authenticate: Guard = async (request) => {
      if (request.principal) return;
      const header = request.headers.authorization;
      if (!header?.startsWith("Bearer ")) throw unauthenticated();
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
    app.decorate("authenticate", authenticate);

    app.decorate("requireSuperadmin", async (request: FastifyRequest, reply: FastifyReply) => {
      await authenticate(request, reply);
      if (!request.principal!.isSuperadmin) throw new AppError("FORBIDDEN", "Only platform superadmins may do this.");
    });

    app.decorate("requireCapability", (capability: Capability): Guard => {
      return async (request, reply) => {
        await authenticate(request, reply);
        const principal = request.principal!;
        const slug = (request.params as { workspace?: string }).workspace;
        if (!slug) throw new AppError("NOT_FOUND", "No workspace in the path.");
        const workspace = await app.services.auth.membershipIn(principal.userId, slug);
        const membership = workspace?.memberships[0];
        // Not a member looks the same as no such workspace: slugs do not leak.
        if (!workspace || (!membership && !principal.isSuperadmin)) {
          throw new AppError("NOT_FOUND", `Workspace '${slug}' was not found.`);
        }
        const role: Role = principal.isSuperadmin ? "owner" : membership!.role;
        if (!can(role, capability)) {
          throw new AppError("FORBIDDEN", `Your role (${role}) does not allow this (${capability}).`);
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
