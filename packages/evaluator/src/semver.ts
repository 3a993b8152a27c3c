import semver from "semver";
import type { SemverOperand } from "./types";

/** Parses a semantic version (a leading `v` allowed); `undefined` when it is not one. */
export function parseSemver(value: unknown): SemverOperand | undefined {
  if (typeof value !== "string" || value.length > 256) return undefined;
  return semver.parse(value) ?? undefined;
}
