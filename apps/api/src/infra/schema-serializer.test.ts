import { TenantDetailResponse, TenantListResponse } from "@ensign/contracts/tenants";
import fc from "fast-check";
import { serializerCompiler as zodSerializerCompiler } from "fastify-type-provider-zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compileWriter, schemaSerializer } from "./schema-serializer";

const route = (schema: z.ZodType) => ({ schema, method: "GET", url: "/test", httpStatus: "200" });
const ours = (schema: z.ZodType) => schemaSerializer(route(schema));
const zods = (schema: z.ZodType) => zodSerializerCompiler(route(schema));

/** What zod's serializer answers: its text, or the error it throws. */
function outcome(serialize: (data: unknown) => string, data: unknown): { text: string } | { error: string } {
  try {
    return { text: serialize(data) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function expectSameAsZod(schema: z.ZodType, data: unknown) {
  expect(outcome(ours(schema), data)).toEqual(outcome(zods(schema), data));
}

/** Written by the compiled writer itself, not handed to zod, and the same text. */
function expectWrittenAsZod(schema: z.ZodType, data: unknown) {
  expect(compileWriter(schema)(data)).toBe(zods(schema)(data));
}

const tenant = (flags?: Record<string, unknown>) => ({
  // Out of schema order, with keys the schema does not have: zod orders and strips them.
  version: 3,
  key: "acme",
  id: "9b1c",
  internal: "not in the schema",
  name: 'Acme "Corp" \u2028 \ud800',
  attributes: { plan: "pro", seats: 12, nested: { list: [1, "two", null, { deep: true }] }, "": 0, "1": "numeric key" },
  modules: [{ enabled: false, key: "FIN", name: "Finance", extra: 1 }],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
  ...(flags ? { flags } : {}),
});

const flagValue = (value: unknown, variant?: string) => ({ reason: "TARGETING_MATCH", isOn: true, detail: "RULE:r1", value, variant, ruleId: "r1" });

describe("schemaSerializer", () => {
  it("writes a tenants page exactly as the zod serializer does", () => {
    const page = {
      pageSize: 10,
      page: 1,
      total: 2,
      items: [tenant({ a: flagValue(true, "on"), b: flagValue({ x: [1, 2] }), c: flagValue(null, "off"), "z.y": flagValue("text", "v-1") }), tenant()],
      extra: "dropped",
    };
    expectWrittenAsZod(TenantListResponse, page);
    expect(JSON.parse(ours(TenantListResponse)(page)).items[0]).not.toHaveProperty("internal");
  });

  it("writes a tenant's page exactly as the zod serializer does", () => {
    const flag = (override: unknown, module: string | null) => ({
      override,
      module,
      offVariant: "off",
      onVariant: "on",
      variants: ["on", "off"],
      type: "boolean",
      description: "",
      name: "Dashboard",
      key: "dashboard-1",
      ...flagValue(false, "off"),
    });
    const override = { version: 2, isExpired: true, expiresAt: null, locked: false, source: "tenant_admin", variant: "on" };
    expectWrittenAsZod(TenantDetailResponse, { ...tenant(), environment: "production", flagValues: [flag(null, null), flag(override, "FIN")] });
  });

  it("fails as the zod serializer fails on a response that does not match", () => {
    const page = (item: unknown) => ({ items: [item], total: 1, page: 1, pageSize: 10 });
    for (const bad of [
      { ...tenant(), key: "not a key!" },
      { ...tenant(), version: 1.5 },
      { ...tenant(), version: Number.NaN },
      { ...tenant(), name: undefined },
      { ...tenant(), modules: [{ key: "FIN", name: "Finance", enabled: "yes" }] },
      tenant({ a: { ...flagValue(true), reason: "MAYBE" } }),
      tenant({ a: flagValue(() => 1) }),
      tenant({ a: flagValue(Number.POSITIVE_INFINITY) }),
      tenant({ a: flagValue(new Date(0)) }),
      // An array with a hole: JSON.stringify would write null where zod refuses.
      tenant({ a: flagValue(Object.assign(new Array<number>(3), { 0: 1, 2: 3 })) }),
    ]) {
      const expected = outcome(zods(TenantListResponse), page(bad));
      expect(expected).toHaveProperty("error");
      expect(outcome(ours(TenantListResponse), page(bad))).toEqual(expected);
    }
  });

  it("leaves to the zod serializer what it cannot vouch for, which zod may still write", () => {
    // An own __proto__ key (JSON.parse makes one) is skipped by zod and kept by JSON.stringify.
    const attributes = JSON.parse('{"__proto__": {"x": 1}, "plan": "pro"}') as Record<string, unknown>;
    expectSameAsZod(TenantListResponse, { items: [{ ...tenant(), attributes }], total: 1, page: 1, pageSize: 10 });
    expect(ours(TenantListResponse)({ items: [{ ...tenant(), attributes }], total: 1, page: 1, pageSize: 10 })).not.toContain("__proto__");
    // Undefined in an array of optional items: zod writes it as null.
    expectSameAsZod(z.array(z.string().optional()), ["a", undefined]);
  });

  it("writes any JSON value as zod does", () => {
    const schema = z.object({ items: z.array(TenantListResponse.shape.items.element.shape.attributes) });
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue())), (items) => {
        // An own __proto__ key is the one JSON value the writer leaves to zod (see below).
        fc.pre(!JSON.stringify(items).includes('"__proto__"'));
        expectWrittenAsZod(schema, { items });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.anything({ withNullPrototype: true, withObjectString: true }))), (items) =>
        expectSameAsZod(schema, { items }),
      ),
      { numRuns: 300 },
    );
  });

  it("refuses at compile time a schema it cannot write exactly", () => {
    expect(() => ours(z.object({ a: z.string().max(3) }))).toThrow(/pattern only/);
    expect(() => ours(z.object({ a: z.number().min(0) }))).toThrow(/safe integers only/);
    expect(() => ours(z.object({ a: z.string() }).strict())).toThrow(/strip unknown keys only/);
    expect(() => ours(z.union([z.string(), z.number()]))).toThrow(/'union'/);
    expect(() => ours(z.object({ at: z.string().transform((s) => s.length) }))).toThrow(/'pipe'/);
  });
});
