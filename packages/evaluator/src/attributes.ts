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
 * An own property of `object`, or `undefined`. Inherited properties (`constructor`,
 * `__proto__`, `toString`) read as absent so a context cannot match on the prototype.
 */
export function readOwn(object: object, key: string): unknown {
  const value = (object as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  return Object.hasOwn(object, key) ? value : undefined;
}

/** Where attribute lookups read: the request context over the identity's stored traits. */
export interface AttributeSource {
  readonly context: object;
  readonly traits: object | undefined;
  readonly tenantAttributes: object | undefined;
}

/**
 * The value of an attribute, `undefined` when absent. Traits are merged under the request
 * context shallowly: a request key (even `null`) hides the trait of the same name. A key that
 * itself contains dots wins over the nested path it spells.
 */
export function lookup(source: AttributeSource, ref: AttributeRef): unknown {
  if (ref.isTenant) {
    const attributes = source.tenantAttributes;
    return attributes === undefined ? undefined : readPath(attributes, undefined, ref);
  }
  return readPath(source.context, source.traits, ref);
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
