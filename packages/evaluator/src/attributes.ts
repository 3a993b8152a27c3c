import { readOwn } from "./own";
import { tenantOf, traitsOf, type Session } from "./session";
import type { AttributeRef } from "./types";

const TENANT_PREFIX = "tenant.";

/** Splits an attribute name once, at compile, so lookups never parse it. */
export function attributeRef(name: string): AttributeRef {
  if (name.startsWith(TENANT_PREFIX) && name.length > TENANT_PREFIX.length) {
    const inner = name.slice(TENANT_PREFIX.length);
    return { name: inner, path: splitPath(inner), isTenant: true };
  }
  return { name, path: splitPath(name), isTenant: false };
}

function splitPath(name: string): readonly string[] | null {
  if (!name.includes(".")) return null;
  const parts = name.split(".");
  return parts.every((part) => part.length > 0) ? parts : null;
}

/**
 * The value of an attribute, `undefined` when absent. Traits are merged under the request
 * context shallowly: a request key (even `null`) hides the trait of the same name. A key that
 * itself contains dots wins over the nested path it spells. `tenant.<name>` reads the stored
 * attributes of the context's tenant, never the request.
 */
export function lookup(session: Session, ref: AttributeRef): unknown {
  if (ref.isTenant) {
    const tenant = tenantOf(session);
    return tenant === undefined ? undefined : readPath(tenant.attributes, undefined, ref);
  }
  const direct = readOwn(session.context, ref.name);
  if (direct !== undefined) return direct;
  return readPath(session.context, traitsOf(session), ref);
}

function readPath(primary: object, secondary: object | undefined, ref: AttributeRef): unknown {
  const direct = readMerged(primary, secondary, ref.name);
  const path = ref.path;
  if (direct !== undefined || path === null) return direct;
  let current = readMerged(primary, secondary, path[0] as string);
  for (let i = 1; i < path.length; i++) {
    if (typeof current !== "object" || current === null) return undefined;
    current = readOwn(current, path[i] as string);
  }
  return current;
}

function readMerged(primary: object, secondary: object | undefined, key: string): unknown {
  const value = readOwn(primary, key);
  if (value !== undefined || secondary === undefined) return value;
  return readOwn(secondary, key);
}
