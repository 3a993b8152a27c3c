/**
 * A search term for Prisma's `contains`/`startsWith`, which put it into LIKE unescaped: `%` and
 * `_` would match anything. Escaped, they match themselves.
 */
export function literal(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%term%` for raw ILIKE, the term's own wildcards escaped. */
export function containsPattern(term: string): string {
  return `%${literal(term)}%`;
}
