import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_ENVIRONMENT_LIMITS, type EnvironmentLimits } from "./infra/environment-limits";
import { parseOutboundAllow, type OutboundPolicy } from "./infra/outbound";
import { REPO_ROOT } from "./paths";

const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, "must be a duration such as 900s, 15m, 12h or 30d")
  .transform((value) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(value)!;
    const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as "ms" | "s" | "m" | "h" | "d"];
    return Number(amount) * factor;
  });

/** A size in bytes: `256MB`, `1GB`, `512kB` or a plain number of bytes (units of 1,024). */
const Size = z
  .string()
  .regex(/^\d+(\s*(b|kb|mb|gb))?$/i, "must be a size such as 256MB, 1GB or 65536")
  .transform((value) => {
    const [, amount, unit] = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value)!;
    const factor = { b: 1, kb: 1_024, mb: 1_048_576, gb: 1_073_741_824 }[(unit ?? "b").toLowerCase() as "b" | "kb" | "mb" | "gb"];
    return Number(amount) * factor;
  });

const List = z
  .string()
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean));

const Flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection string")
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, ".data")),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ACCESS_TOKEN_TTL: Duration.default(900_000),
  REFRESH_TOKEN_TTL: Duration.default(30 * 86_400_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BODY_LIMIT: z.coerce.number().int().min(1_024).max(50 * 1_048_576).default(1_048_576),
  /** Origins allowed to call the evaluation endpoints from a browser; `*` for any. */
  CORS_ORIGINS: List.default([]),
  TRUST_PROXY: Flag.default(false),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** Where people reach Ensign, the admin app and the API (`https://flags.example.com`): the base of invitation and reset links and of single sign-on's callback. */
  PUBLIC_URL: z
    .string()
    .trim()
    .transform((value) => value.replace(/\/+$/, ""))
    .pipe(z.union([z.literal(""), z.string().regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "must be an http(s) URL such as https://flags.example.com")]))
    .optional(),
  /** How long an invitation link can be accepted. */
  INVITATION_TTL: Duration.default(7 * 86_400_000),
  /** How long an owner-issued password-reset link can be used. */
  PASSWORD_RESET_TTL: Duration.default(3_600_000),
  ADMIN_DIST: z.string().default(path.join(REPO_ROOT, "apps", "admin", "dist")),
  /** Load the demo workspaces into an empty database on start. */
  SEED_DEMO: Flag.optional(),
  /** Apply pending migrations on start. */
  MIGRATE_ON_START: Flag.default(true),
  /** Run the job that applies due schedules and sweeps expired overrides in this process. */
  SCHEDULER_ENABLED: Flag.default(true),
  /** How often that job looks for work. */
  SCHEDULER_INTERVAL: Duration.default(5_000),
  /** How often the audit retention job exports and purges expired entries (when SCHEDULER_ENABLED). */
  AUDIT_RETENTION_INTERVAL: Duration.default(3_600_000),
  /** Evaluation requests one API key may make per second on one replica; more answer 429. */
  EVAL_RATE_LIMIT: z.coerce.number().int().min(1).default(50_000),
  /** Largest request body the evaluation endpoints accept, in bytes. */
  EVAL_BODY_LIMIT: z.coerce.number().int().min(256).max(1_048_576).default(65_536),
  /** How often each replica compares its snapshots' versions with PostgreSQL while Redis is up (1 s while it is down). */
  SNAPSHOT_POLL_INTERVAL: Duration.default(10_000),
  /** How often each replica rebuilds from PostgreSQL the snapshots it made from deltas, to confirm them. */
  SNAPSHOT_VERIFY_INTERVAL: Duration.default(300_000),
  /** Estimated memory the environments' snapshots may take in one replica; the least recently used leave beyond it. */
  SNAPSHOT_MEMORY_BUDGET: Size.default(256 * 1_048_576),
  /** Identities whose traits one replica keeps in memory (least recently used leave first). */
  IDENTITY_CACHE_ENTRIES: z.coerce.number().int().min(0).default(100_000),
  /** Estimated memory those traits may take in one replica. */
  IDENTITY_CACHE_BUDGET: Size.default(64 * 1_048_576),
  /** How long the shared Redis copy of an identity's traits lives after it was last written. */
  IDENTITY_CACHE_TTL: Duration.default(3_600_000),
  /** How often cached API keys are checked again against PostgreSQL (revocations arrive sooner by message). */
  API_KEY_RECHECK_INTERVAL: Duration.default(30_000),
  /** How often evaluation counters leave process memory. */
  STATS_FLUSH_INTERVAL: Duration.default(5_000),
  /** How often idle Server-Sent Events streams get a `: ping` comment. */
  STREAM_HEARTBEAT_INTERVAL: Duration.default(15_000),
  /** Port of the Prometheus endpoint (`GET /metrics`), apart from the API's; `off` for none, 0 for any free port. */
  METRICS_PORT: z.union([z.literal("off"), z.coerce.number().int().min(0).max(65_535)]).default(9464),
  /** Interface of the metrics endpoint; HOST when unset. */
  METRICS_HOST: z.string().min(1).optional(),
  /** The most one environment may hold (docs/reliability.md, "Limits"): past them a write is refused with 413. */
  ENV_MAX_RULES: z.coerce.number().int().min(1).default(DEFAULT_ENVIRONMENT_LIMITS.rules),
  ENV_MAX_TARGETING_BYTES: z.coerce.number().int().min(1_024).default(DEFAULT_ENVIRONMENT_LIMITS.targetingBytes),
  ENV_MAX_TENANT_OVERRIDES: z.coerce.number().int().min(1).default(DEFAULT_ENVIRONMENT_LIMITS.tenantOverrides),
  ENV_MAX_USER_OVERRIDES: z.coerce.number().int().min(1).default(DEFAULT_ENVIRONMENT_LIMITS.userOverrides),
  WORKSPACE_MAX_SEGMENT_BYTES: z.coerce.number().int().min(1_024).default(DEFAULT_ENVIRONMENT_LIMITS.segmentBytes),
  /** Most Server-Sent Events streams one API key (or one signed-in user) may hold open on a replica. */
  STREAM_MAX_PER_KEY: z.coerce.number().int().min(1).default(10_000),
  /** Most Server-Sent Events streams one client address may hold open on a replica. */
  STREAM_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  /** How often each replica looks for due webhook deliveries, and for new events when no commit notification came (when SCHEDULER_ENABLED). */
  WEBHOOK_INTERVAL: Duration.default(2_000),
  /** The first retry's delay; each next one doubles it, up to an hour apart. */
  WEBHOOK_RETRY_BASE: Duration.default(30_000),
  /** How long a delivery is retried before it is marked failed. */
  WEBHOOK_RETRY_FOR: Duration.default(86_400_000),
  /** How long a receiver may take to answer one delivery. */
  WEBHOOK_TIMEOUT: Duration.default(10_000),
  /** How long delivered events (and their delivery log) are kept. */
  WEBHOOK_RETENTION: Duration.default(30 * 86_400_000),
  /** The SMTP server e-mail notifications go through: smtp://user:pass@host:587 or smtps://...; unset switches e-mail off. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** The From address of e-mail notifications. */
  SMTP_FROM: z.string().min(3).max(300).default("Ensign <ensign@localhost>"),
  /** Hosts and CIDR ranges the API may connect to although they are private (an on-premises JWKS), comma-separated. */
  OUTBOUND_ALLOW: z.string().max(4_000).optional(),
  /**
   * On SIGTERM, how long the replica keeps answering (readiness 503 `draining`, every answer
   * closing its connection) before it stops listening, so load balancers move away first.
   */
  SHUTDOWN_DRAIN: Duration.default(3_000),
  /** Sign-in through an OpenID Connect provider: its issuer (the discovery document's base). */
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The callback the provider sends people back to; PUBLIC_URL + /v1/auth/oidc/callback when unset. */
  OIDC_REDIRECT_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  OIDC_SCOPES: z.string().min(1).default("openid email profile"),
  /** The sign-in button says "Sign in with <label>". */
  OIDC_LABEL: z.string().trim().min(1).max(60).default("single sign-on"),
  /** `false` switches email-and-password sign-in off (single sign-on only). */
  PASSWORD_LOGIN: Flag.default(true),
});

/** Loopback hosts, where a provider without TLS is acceptable (a local test provider). */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  scopes: string;
  label: string;
  /** Where the admin app is: people land there after signing in, or on its login page when it failed. */
  appUrl: string;
}

function oidcConfig(e: z.infer<typeof EnvSchema>): OidcConfig | null {
  const named = { OIDC_ISSUER: e.OIDC_ISSUER, OIDC_CLIENT_ID: e.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: e.OIDC_CLIENT_SECRET };
  const given = Object.entries(named).filter(([, value]) => value !== undefined);
  if (given.length === 0) return null;
  const issues = Object.entries(named)
    .filter(([, value]) => value === undefined)
    .map(([name]) => `${name}: is required for single sign-on (${given.map(([n]) => n).join(", ")} ${given.length === 1 ? "is" : "are"} set)`);
  const redirectUrl = e.OIDC_REDIRECT_URL ?? (e.PUBLIC_URL ? `${e.PUBLIC_URL}/v1/auth/oidc/callback` : undefined);
  if (!redirectUrl) issues.push("OIDC_REDIRECT_URL: is required for single sign-on (or set PUBLIC_URL)");
  const issuer = new URL(e.OIDC_ISSUER ?? "https://unset.invalid");
  if (issuer.protocol !== "https:" && !LOOPBACK.has(issuer.hostname)) {
    issues.push("OIDC_ISSUER: must be an https:// URL (http:// only on localhost)");
  }
  if (!e.OIDC_SCOPES.split(/\s+/).includes("openid")) issues.push("OIDC_SCOPES: must include openid");
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    issuer: e.OIDC_ISSUER!,
    clientId: e.OIDC_CLIENT_ID!,
    clientSecret: e.OIDC_CLIENT_SECRET!,
    redirectUrl: redirectUrl!,
    scopes: e.OIDC_SCOPES.trim().split(/\s+/).join(" "),
    label: e.OIDC_LABEL,
    appUrl: (e.PUBLIC_URL || new URL(redirectUrl!).origin).replace(/\/+$/, ""),
  };
}

export type Config = {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
  dataDir: string;
  jwtSecret: string;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  logLevel: string;
  bodyLimit: number;
  corsOrigins: string[];
  trustProxy: boolean;
  loginRateLimit: number;
  /** Invitation and password-reset links; `publicUrl` null means the admin app's request origin. */
  accounts: { publicUrl: string | null; invitationTtlMs: number; passwordResetTtlMs: number };
  adminDist: string;
  seedDemo: boolean;
  migrateOnStart: boolean;
  schedulerEnabled: boolean;
  schedulerIntervalMs: number;
  auditRetentionIntervalMs: number;
  /** Where the API may connect when an admin names a URL (the context-token JWKS, webhooks, Slack). */
  outbound: OutboundPolicy;
  /** Delivery of webhooks and notifications. */
  webhooks: { intervalMs: number; retryBaseMs: number; retryForMs: number; timeoutMs: number; retentionMs: number };
  /** E-mail notifications' SMTP server; null switches e-mail off. */
  smtp: { url: string; from: string } | null;
  shutdownDrainMs: number;
  evaluation: {
    rateLimitPerSecond: number;
    bodyLimit: number;
    snapshotPollMs: number;
    /** How often snapshots made from deltas are compared with a rebuild from PostgreSQL. */
    snapshotVerifyMs: number;
    /** Bytes of snapshots one replica holds at most (estimated). */
    snapshotMemoryBudget: number;
    /** The identity traits cache: entries and bytes in process, lifetime of the Redis copies. */
    identityCache: { maxEntries: number; maxBytes: number; ttlMs: number };
    apiKeyRecheckMs: number;
    statsFlushMs: number;
    heartbeatMs: number;
    streamsPerKey: number;
    streamsPerAddress: number;
  };
  environmentLimits: EnvironmentLimits;
  /** Where `GET /metrics` listens; null when switched off. */
  metrics: { host: string; port: number } | null;
  /** Sign-in through an OpenID Connect provider; null when not configured. */
  oidc: OidcConfig | null;
  /** Whether email-and-password sign-in is on. */
  passwordLogin: boolean;
  /** True when neither DATABASE_URL nor REDIS_URL points at a real service. */
  embedded: { database: boolean; cache: boolean };
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** How to make a secret that passes {@link weakSecretReason}. */
export const SECRET_HOWTO = "make one with `openssl rand -base64 48` (or `node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"`)";

/** Words that mark a value as a placeholder from documentation or examples, not a real secret. */
const PLACEHOLDER = /change[-_ ]?me|changeme|placeholder|example|your[-_ ]?(own|secret)|replace[-_ ]?(me|this)|do[-_ ]?not[-_ ]?use|insecure|not[-_ ]?secret|test[-_ ]?secret|^secret|password/i;

/**
 * Why a signing secret is not fit for production, or null when it is: a known placeholder,
 * shorter than 32 characters, or too regular to be random (few distinct characters, little
 * entropy per character, or a short pattern repeated).
 */
export function weakSecretReason(secret: string): string | null {
  if (secret.length < 32) return "is shorter than 32 characters";
  if (PLACEHOLDER.test(secret)) return "looks like a placeholder from an example";
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  const entropyPerChar = [...counts.values()].reduce((sum, n) => sum - (n / secret.length) * Math.log2(n / secret.length), 0);
  if (counts.size < 12 || entropyPerChar < 3.5) return "has too little randomness";
  for (let period = 1; period <= secret.length / 2; period++) {
    if (secret.slice(period) === secret.slice(0, secret.length - period)) return "repeats a short pattern";
  }
  return null;
}

/**
 * Reads the configuration from environment variables. A bad value stops the boot with a message
 * naming every bad variable. In embedded mode (no DATABASE_URL) a missing JWT_SECRET is generated
 * once and kept in DATA_DIR, so sessions survive restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const e = parsed.data;
  const embeddedDatabase = !e.DATABASE_URL;

  let jwtSecret = e.JWT_SECRET;
  if (jwtSecret && e.NODE_ENV === "production") {
    const weakness = weakSecretReason(jwtSecret);
    if (weakness) throw new ConfigError([`JWT_SECRET: ${weakness}; anyone who guesses it can sign in as anyone. ${SECRET_HOWTO}`]);
  }
  if (!jwtSecret) {
    if (!embeddedDatabase && e.NODE_ENV === "production") {
      throw new ConfigError([`JWT_SECRET: is required when DATABASE_URL is set in production (at least 32 characters); ${SECRET_HOWTO}`]);
    }
    jwtSecret = persistentSecret(e.DATA_DIR, "jwt-secret");
  }

  const oidc = oidcConfig(e);
  if (!e.PASSWORD_LOGIN && !oidc) {
    throw new ConfigError(["PASSWORD_LOGIN: can be false only when single sign-on (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) is configured; nobody could sign in"]);
  }

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    dataDir: e.DATA_DIR,
    jwtSecret,
    accessTokenTtlMs: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlMs: e.REFRESH_TOKEN_TTL,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    accounts: { publicUrl: e.PUBLIC_URL || null, invitationTtlMs: e.INVITATION_TTL, passwordResetTtlMs: e.PASSWORD_RESET_TTL },
    adminDist: e.ADMIN_DIST,
    seedDemo: e.SEED_DEMO ?? embeddedDatabase,
    migrateOnStart: e.MIGRATE_ON_START,
    schedulerEnabled: e.SCHEDULER_ENABLED,
    schedulerIntervalMs: e.SCHEDULER_INTERVAL,
    auditRetentionIntervalMs: e.AUDIT_RETENTION_INTERVAL,
    outbound: parseOutboundAllow(e.OUTBOUND_ALLOW),
    webhooks: {
      intervalMs: e.WEBHOOK_INTERVAL,
      retryBaseMs: e.WEBHOOK_RETRY_BASE,
      retryForMs: e.WEBHOOK_RETRY_FOR,
      timeoutMs: e.WEBHOOK_TIMEOUT,
      retentionMs: e.WEBHOOK_RETENTION,
    },
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.SMTP_FROM } : null,
    shutdownDrainMs: e.SHUTDOWN_DRAIN,
    evaluation: {
      rateLimitPerSecond: e.EVAL_RATE_LIMIT,
      bodyLimit: e.EVAL_BODY_LIMIT,
      snapshotPollMs: e.SNAPSHOT_POLL_INTERVAL,
      snapshotVerifyMs: e.SNAPSHOT_VERIFY_INTERVAL,
      snapshotMemoryBudget: e.SNAPSHOT_MEMORY_BUDGET,
      identityCache: { maxEntries: e.IDENTITY_CACHE_ENTRIES, maxBytes: e.IDENTITY_CACHE_BUDGET, ttlMs: e.IDENTITY_CACHE_TTL },
      apiKeyRecheckMs: e.API_KEY_RECHECK_INTERVAL,
      statsFlushMs: e.STATS_FLUSH_INTERVAL,
      heartbeatMs: e.STREAM_HEARTBEAT_INTERVAL,
      streamsPerKey: e.STREAM_MAX_PER_KEY,
      streamsPerAddress: e.STREAM_MAX_PER_ADDRESS,
    },
    metrics: e.METRICS_PORT === "off" ? null : { host: e.METRICS_HOST ?? e.HOST, port: e.METRICS_PORT },
    environmentLimits: {
      rules: e.ENV_MAX_RULES,
      targetingBytes: e.ENV_MAX_TARGETING_BYTES,
      tenantOverrides: e.ENV_MAX_TENANT_OVERRIDES,
      userOverrides: e.ENV_MAX_USER_OVERRIDES,
      segmentBytes: e.WORKSPACE_MAX_SEGMENT_BYTES,
    },
    oidc,
    passwordLogin: e.PASSWORD_LOGIN,
    embedded: { database: embeddedDatabase, cache: !e.REDIS_URL },
  };
}

function persistentSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
