import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../../generated/prisma/client";
import { pgliteRunner, pgRunner, type SqlRunner } from "./sql-runner";

export type DatabaseKind = "postgres" | "pglite";

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** Raw SQL for migrations and health checks. */
  sql: SqlRunner;
  /**
   * Calls `handler` on every notification on `channel` (PostgreSQL LISTEN), and once whenever the
   * listening connection is (re)made, since notifications may have been missed meanwhile. Resolves
   * to a function that stops listening.
   */
  listen(channel: string, handler: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** How long a lost listening connection waits before it connects again. */
const RELISTEN_MS = 5_000;

/** LISTEN on a connection of its own, made again whenever it is lost. */
function pgListen(url: string) {
  return async (channel: string, handler: () => void): Promise<() => Promise<void>> => {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;
    const again = () => {
      client = undefined;
      if (stopped || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, RELISTEN_MS).unref();
    };
    async function connect(): Promise<void> {
      const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      next.on("notification", (message) => message.channel === channel && handler());
      next.on("error", again);
      next.on("end", again);
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
        if (stopped) return void (await next.end());
        client = next;
        handler();
      } catch {
        await next.end().catch(() => undefined);
        again();
      }
    }
    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
  };
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it the embedded PGlite database is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps them in memory. */
  dataDir: string;
  poolSize?: number;
  /** A statement that has not answered after this fails (default 15 s); bulk loads set more. */
  queryTimeoutMs?: number;
}

// BIGINT counters come back as JS numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      // Fail a statement rather than hang when the server stops answering.
      query_timeout: options.queryTimeoutMs ?? 15_000,
    });
    pool.on("error", () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: "postgres",
      prisma,
      sql: pgRunner(pool),
      listen: pgListen(options.url),
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  const lite = await PGlite.create(options.dataDir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    kind: "pglite",
    prisma,
    sql: pgliteRunner(lite),
    async listen(channel, handler) {
      const stop = await lite.listen(channel, () => handler());
      handler();
      return stop;
    },
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}
