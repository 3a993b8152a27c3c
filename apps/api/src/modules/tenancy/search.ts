/**
 * A search term for Prisma's `contains`, which puts it into LIKE unescaped: `%` and `_` would
 * match anything. Escaped, they match themselves.
 */
export function literal(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
