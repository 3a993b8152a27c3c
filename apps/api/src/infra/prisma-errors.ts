import { Prisma } from "../generated/prisma/client";
import { AppError } from "./errors";

/**
 * Translates Prisma's known errors into AppErrors: a unique violation is a conflict with what
 * already exists, a missing record is a 404. Anything else passes through unchanged.
 */
export function translatePrismaError(error: unknown, what = "The record"): unknown {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return error;
  if (error.code === "P2002") {
    const target = (error.meta?.target as string[] | string | undefined) ?? [];
    const fields = Array.isArray(target) ? target.join(", ") : target;
    return new AppError("ALREADY_EXISTS", `${what} already exists${fields ? ` (${fields})` : ""}.`, { cause: error });
  }
  if (error.code === "P2025") return new AppError("NOT_FOUND", `${what} was not found.`, { cause: error });
  if (error.code === "P2003") return new AppError("CONFLICT", `${what} refers to something that does not exist.`, { cause: error });
  return error;
}

/** Runs `fn`, translating Prisma's unique and not-found errors. */
export async function translating<R>(what: string, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (error) {
    throw translatePrismaError(error, what);
  }
}

/**
 * Runs `fn`, answering `null` when it breaks a unique constraint: for a repository whose caller
 * decides what "already exists" means (a create that names the conflict in its own words).
 */
export async function nullOnUniqueViolation<R>(fn: () => Promise<R>): Promise<R | null> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return null;
    throw error;
  }
}
