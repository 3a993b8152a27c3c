import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

/** The demo backend's settings, from environment variables (see README). */
export interface PortalConfig {
  port: number;
  host: string;
  /** The Ensign API the browser and the guard talk to. */
  ensignUrl: string;
  /** Public: the browser evaluates with it. */
  clientKey: string | undefined;
  /** Secret: the AI Assistant guard evaluates locally with it. Without it the guard asks Ensign remotely. */
  serverKey: string | undefined;
  /** The environment's context secret: signs the producers' context tokens (HS256). */
  contextSecret: string;
  contextTokenTtlS: number;
  /** Signs the demo's session cookie; random per start unless set. */
  sessionSecret: string;
  /** The built frontend. */
  distDir: string;
}

export class PortalConfigError extends Error {}

/** Reads and checks the settings; a missing required one stops the start with a clear message. */
export function loadPortalConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const missing = ["ENSIGN_CONTEXT_SECRET"].filter((name) => !env[name]);
  if (!env.ENSIGN_CLIENT_KEY && !env.ENSIGN_SERVER_KEY) missing.push("ENSIGN_CLIENT_KEY (or ENSIGN_SERVER_KEY)");
  if (missing.length > 0) throw new PortalConfigError(`Missing environment variables: ${missing.join(", ")} (see apps/portal-demo/README.md)`);
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new PortalConfigError("PORT must be a port number");
  return {
    port,
    host: env.HOST ?? "127.0.0.1",
    ensignUrl: env.ENSIGN_URL ?? "http://127.0.0.1:3000",
    clientKey: env.ENSIGN_CLIENT_KEY || undefined,
    serverKey: env.ENSIGN_SERVER_KEY || undefined,
    contextSecret: env.ENSIGN_CONTEXT_SECRET!,
    contextTokenTtlS: Number(env.CONTEXT_TOKEN_TTL_S ?? 900),
    sessionSecret: env.PORTAL_SESSION_SECRET ?? randomBytes(32).toString("hex"),
    distDir: env.PORTAL_DIST ?? fileURLToPath(new URL("../dist", import.meta.url)),
  };
}

