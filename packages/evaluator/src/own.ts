/**
 * An own property of `object`, or `undefined`. Inherited properties (`constructor`,
 * `__proto__`, `toString`, anything a polluted `Object.prototype` carries) read as absent, so
 * a context cannot match on its prototype.
 */
export function readOwn(object: object, key: string): unknown {
  const value = (object as Record<string, unknown>)[key];
  if (value === undefined) return undefined;
  return Object.hasOwn(object, key) ? value : undefined;
}

/** `Object.prototype`, read at evaluation time to tell own properties from inherited ones cheaply. */
export const OBJECT_PROTOTYPE = Object.prototype as Record<string, unknown>;

/** Whether `object` inherits from `Object.prototype` directly or from nothing (JSON and literals do). */
export function isPlainObject(object: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(object);
  return prototype === Object.prototype || prototype === null;
}
