import { createHash } from "node:crypto";

/** A strong ETag of a response body. */
export function etagOf(body: string): string {
  return `"${createHash("md5").update(body).digest("base64url")}"`;
}

/** Whether `If-None-Match` names this ETag (lists, `*` and weak forms included). */
export function matchesEtag(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value.trim() === "*") return true;
  return value.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag.replace(/^W\//, ""));
}
