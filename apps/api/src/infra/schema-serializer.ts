import { JsonValue } from "@ensign/contracts/targeting";
import type { FastifySerializerCompiler } from "fastify";
import { serializerCompiler as zodSerializerCompiler } from "fastify-type-provider-zod";
import type { z } from "zod";

/**
 * A serializer for responses too big for the zod one: a tenants page with every flag's value
 * holds 10,000 values and a tenant's page 1,000 flags, which zod took 30–80 ms to encode. It is
 * compiled once per route from the same zod schema and writes exactly what zod's serializer
 * writes: the schema's keys in the schema's order, unknown keys left out, optional keys left out
 * when undefined. On the way it checks every value's type, enum and string pattern; a value it
 * does not accept (a mismatch, or one it cannot vouch for) sends the whole response to the zod
 * serializer, which writes it if zod accepts it and otherwise fails as it always has. It knows
 * the schemas response bodies are made of (objects, arrays, records, strings, numbers, booleans,
 * enums, nullable and optional, `JsonValue`); any other refuses the route when it is compiled.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Fastify types the compiler by the route's schema.
export const schemaSerializer: FastifySerializerCompiler<any> = (route) => {
  const exact = zodSerializerCompiler(route);
  const write = compileWriter(route.schema as z.ZodType);
  return (data) => {
    try {
      return write(data);
    } catch (error) {
      if (error instanceof Unsure) return exact(data);
      throw error;
    }
  };
};

/** The JSON text of a value as zod's serializer writes it for `schema`; throws `Unsure` for a value it does not accept. */
export function compileWriter(schema: z.ZodType): (value: unknown) => string {
  const project = projectorOf(schema as unknown as z.core.$ZodType);
  return (value) => JSON.stringify(project(value));
}

/**
 * What zod's encoding makes of a value: the value itself when `JSON.stringify` writes it as zod
 * would, else (objects and records) a copy with zod's keys in zod's order.
 */
type Projector = (value: unknown) => unknown;

/** Thrown for a value the projector does not accept: the zod serializer decides on it instead. */
class Unsure extends Error {}

function unsure(): never {
  throw new Unsure("left to the zod serializer");
}

function projectorOf(schema: z.core.$ZodType): Projector {
  if (schema === (JsonValue as unknown as z.core.$ZodType)) return (value) => (isJson(value) ? value : unsure());
  const def = schema._zod.def;
  switch (def.type) {
    case "string":
      return stringProjector(def as z.core.$ZodStringDef);
    case "number":
      return numberProjector(def as z.core.$ZodNumberDef);
    case "boolean":
      return (value) => (typeof value === "boolean" ? value : unsure());
    case "enum": {
      const entries = new Set(Object.values((def as z.core.$ZodEnumDef).entries));
      return (value) => (entries.has(value as string) ? value : unsure());
    }
    case "nullable": {
      const inner = projectorOf((def as z.core.$ZodNullableDef).innerType);
      return (value) => (value === null ? null : inner(value));
    }
    // An optional value is left out by the object holding it; anywhere else undefined goes to zod.
    case "optional":
      return projectorOf((def as z.core.$ZodOptionalDef).innerType);
    case "array":
      return arrayProjector(projectorOf((def as z.core.$ZodArrayDef).element));
    case "record":
      return recordProjector(def as z.core.$ZodRecordDef);
    case "object":
      return objectProjector(def as z.core.$ZodObjectDef);
    default:
      throw new Error(`schemaSerializer cannot write a '${def.type}' schema; use the zod serializer for this route`);
  }
}

function stringProjector(def: z.core.$ZodStringDef): Projector {
  const patterns = (def.checks ?? []).map((check) => {
    const checkDef = check._zod.def as z.core.$ZodCheckDef & { format?: string; pattern?: RegExp };
    if (checkDef.check !== "string_format" || checkDef.format !== "regex" || !checkDef.pattern) {
      throw new Error(`schemaSerializer checks strings by pattern only, not '${checkDef.format ?? checkDef.check}'`);
    }
    return checkDef.pattern;
  });
  if (patterns.length === 0) return (value) => (typeof value === "string" ? value : unsure());
  return (value) => {
    if (typeof value !== "string") unsure();
    for (const pattern of patterns) {
      pattern.lastIndex = 0;
      if (!pattern.test(value)) unsure();
    }
    return value;
  };
}

function numberProjector(def: z.core.$ZodNumberDef): Projector {
  let isInteger = false;
  for (const check of def.checks ?? []) {
    const checkDef = check._zod.def as z.core.$ZodCheckDef & { format?: string };
    if (checkDef.check !== "number_format" || checkDef.format !== "safeint") {
      throw new Error(`schemaSerializer checks numbers as safe integers only, not '${checkDef.format ?? checkDef.check}'`);
    }
    isInteger = true;
  }
  return (value) => (typeof value === "number" && Number.isFinite(value) && (!isInteger || Number.isSafeInteger(value)) ? value : unsure());
}

function arrayProjector(item: Projector): Projector {
  return (value) => {
    if (!Array.isArray(value)) unsure();
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = item(value[i]);
    return out;
  };
}

function recordProjector(def: z.core.$ZodRecordDef): Projector {
  if (def.keyType._zod.def.type !== "string") throw new Error("schemaSerializer writes records with string keys only");
  const key = projectorOf(def.keyType);
  const item = projectorOf(def.valueType);
  return (value) => {
    if (!isOwnDataOnly(value)) unsure();
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      key(name);
      out[name] = item(value[name]);
    }
    return out;
  };
}

function objectProjector(def: z.core.$ZodObjectDef): Projector {
  // A strict or passthrough object fails on, or keeps, unknown keys: only the stripping kind is written here.
  if (def.catchall !== undefined) throw new Error("schemaSerializer writes objects that strip unknown keys only");
  const fields = Object.entries(def.shape).map(([name, schema]) => ({ name, isOptional: schema._zod.optout === "optional", project: projectorOf(schema) }));
  // The copies of objects that cannot change, made once: a page of tenants repeats the same few
  // thousand frozen flag values 10,000 times.
  const copies = new WeakMap<object, unknown>();
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) unsure();
    const known = copies.get(value);
    if (known !== undefined) return known;
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let isImmutable = Object.isFrozen(value);
    for (const field of fields) {
      const item = record[field.name];
      if (item === undefined) {
        if (field.isOptional) continue;
        unsure();
      }
      const projected = field.project(item);
      // A copy holds its own objects and arrays: kept only when they cannot change either.
      if (isImmutable && typeof projected === "object" && projected !== null && (projected !== item || !isDeeplyFrozen(item))) isImmutable = false;
      out[field.name] = projected;
    }
    if (isImmutable) copies.set(value, Object.freeze(out));
    return out;
  };
}

function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  for (const item of Object.values(value)) if (!isDeeplyFrozen(item)) return false;
  return true;
}

/**
 * A plain object whose keys `Object.keys` lists all of: no symbol keys and no own `__proto__`,
 * which zod treats differently from `JSON.stringify`.
 */
function isOwnDataOnly(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.getOwnPropertySymbols(value).length === 0 && !Object.hasOwn(value, "__proto__");
}

/** Whether `JSON.stringify` writes the value as zod's `JsonValue` does: finite numbers, plain objects and arrays without holes. */
function isJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isJson(value[i])) return false;
        return true;
      }
      if (!isOwnDataOnly(value)) return false;
      for (const name of Object.keys(value)) if (!isJson(value[name])) return false;
      return true;
    }
    default:
      return false;
  }
}
