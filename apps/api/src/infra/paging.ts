import type { Page } from "@ensign/contracts/common";
import { literal } from "./like";

/** Prisma's `skip`/`take` for a page/pageSize query. */
export function pageArgs(query: { page: number; pageSize: number }): { skip: number; take: number } {
  return { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
}

/** A page of a list with the total count of matching items. */
export function pageFrom<T>(items: T[], total: number, query: { page: number; pageSize: number }): Page<T> {
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** `contains`, case-insensitive: the where-clause of a text search, its `%`, `_` and `\\` matching themselves. */
export function containing(search: string) {
  return { contains: literal(search), mode: "insensitive" as const };
}

export const iso = (date: Date) => date.toISOString();
export const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;
