import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

/** The smallest raw-SQL surface the migration runner and health checks need. */
export interface SqlRunner {
  /** Runs a script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` on one connection, so session-level state (locks) holds across its calls. */
  withConnection<R>(fn: (runner: SqlRunner) => Promise<R>): Promise<R>;
}

export function pgRunner(pool: pg.Pool): SqlRunner {
  const over = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    async exec(sql) {
      await client.query(sql);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rows as T[];
    },
    async withConnection(fn) {
      if (client !== pool) return fn(over(client));
      const connection = await pool.connect();
      try {
        return await fn(over(connection));
      } finally {
        connection.release();
      }
    },
  });
  return over(pool);
}

export function pgliteRunner(db: PGlite): SqlRunner {
  const runner: SqlRunner = {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await db.query<T>(sql, params);
      return result.rows;
    },
    // PGlite is a single connection already.
    withConnection: (fn) => fn(runner),
  };
  return runner;
}
