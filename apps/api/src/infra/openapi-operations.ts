const VERBS: Record<string, string> = { GET: "get", PATCH: "update", PUT: "set", DELETE: "delete", POST: "create" };

const words = (segment: string) => segment.split(/[-_]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
const pascal = (segment: string) => words(segment).join("");
const camel = (segment: string) => {
  const name = pascal(segment);
  return name.charAt(0).toLowerCase() + name.slice(1);
};
const singular = (noun: string) => noun.replace(/ies$/, "y").replace(/(ss)$|s$/, "$1");
const isParam = (segment: string) => segment.startsWith(":") || segment.startsWith("{");
const isPlural = (segment: string) => /[^s]s$/.test(segment);

/**
 * The operationId of a route that names none, from its method and path (workspace-scoped paths
 * read without their `/v1/workspaces/:workspace` prefix):
 *
 * - `GET /flags` → `listFlags`, `POST /flags` → `createFlag`
 * - `GET|PATCH|PUT|DELETE /flags/:key` → `getFlag`, `updateFlag`, `setFlag`, `deleteFlag`
 * - `POST /flags/:key/archive` → `archiveFlag` (an action on the resource before it)
 * - `GET /workspaces/:workspace/export` → `getExport`
 *
 * Routes whose derived name would be unclear or taken set `schema.operationId` themselves.
 */
export function operationIdOf(method: string, url: string): string {
  let segments = url.split("/").filter((segment) => segment && segment !== "v1");
  if (segments[0] === "workspaces" && segments.length > 2) segments = segments.slice(2);
  const statics = segments.filter((segment) => !isParam(segment));
  const last = segments.at(-1) ?? "root";
  const verb = VERBS[method.toUpperCase()] ?? method.toLowerCase();
  if (isParam(last)) return verb + pascal(singular(statics.at(-1) ?? "item"));
  if (method === "GET") return (isPlural(last) ? "list" : "get") + pascal(last);
  if (method === "POST" && isPlural(last)) return `create${pascal(singular(last))}`;
  if (method === "POST" && statics.length > 1) return camel(last) + pascal(singular(statics.at(-2)!));
  return verb + pascal(last);
}
