import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString, type NormalizedProblem } from "@redocly/openapi-core";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
}
interface Document {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  servers?: { url: string; description?: string }[];
  tags?: { name: string }[];
}

const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method]! })),
  );

const describeProblem = (problem: NormalizedProblem) =>
  `${problem.ruleId}: ${problem.message} at ${problem.location.map((l) => l.pointer).join(", ")}`;

describe("the OpenAPI document at /docs/json", () => {
  let t: TestApp;
  let text: string;
  let doc: Document;

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    text = res.body;
    doc = JSON.parse(text) as Document;
  });
  afterAll(async () => t.close());

  it("is valid OpenAPI 3.1 by swagger-parser, every $ref resolving", async () => {
    expect(doc.openapi).toBe("3.1.0");
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it("has no errors, nor warnings, under Redocly's recommended rules", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const problems = await lintFromString({ source: text, absoluteRef: "/docs/json", config });
    expect(problems.filter((problem) => problem.severity === "error").map(describeProblem)).toEqual([]);
    expect(problems.map(describeProblem)).toEqual([]);
  });

  it("generates TypeScript types with openapi-typescript", async () => {
    const types = astToString(await openapiTS(structuredClone(doc) as never));
    expect(types).toContain("export interface paths");
    expect(types).toContain('"/v1/workspaces/{workspace}/flags"');
    expect(types).toContain("listFlags:");
    expect(types).toContain("FlagResponse:");
    // Any JSON value: a recursive union would turn to `any` in generated clients' mapped types.
    expect(types).toMatch(/\bJsonValue: unknown;/);
  });

  it("gives every operation a unique camelCase operationId and a declared tag", () => {
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(80);
    const ids = operations.map(({ operation }) => operation.operationId);
    for (const { path, method, operation } of operations) {
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(operation.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const tag of operation.tags!) expect(doc.tags?.map((t) => t.name), `${method} ${path}`).toContain(tag);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("names operations after what they do", () => {
    const idOf = (method: string, path: string) => doc.paths[path]?.[method as (typeof METHODS)[number]]?.operationId;
    expect(idOf("get", "/v1/workspaces/{workspace}/flags")).toBe("listFlags");
    expect(idOf("post", "/v1/workspaces/{workspace}/flags")).toBe("createFlag");
    expect(idOf("get", "/v1/workspaces/{workspace}/flags/{key}")).toBe("getFlag");
    expect(idOf("patch", "/v1/workspaces/{workspace}/flags/{key}/environments/{env}")).toBe("updateFlagState");
    expect(idOf("post", "/v1/workspaces/{workspace}/flags/{key}/archive")).toBe("archiveFlag");
    expect(idOf("post", "/ofrep/v1/evaluate/flags/{key}")).toBe("evaluateFlag");
    expect(idOf("post", "/ofrep/v1/evaluate/flags")).toBe("evaluateFlags");
    expect(idOf("get", "/v1/stream")).toBe("streamChanges");
  });

  it("declares and uses bearer JWT for the admin API and API keys for evaluation", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["apiKey", "apiKeyBearer", "apiKeyQuery", "bearerAuth", "refreshCookie"]);
    const securityOf = (method: string, path: string) => doc.paths[path]?.[method as (typeof METHODS)[number]]?.security;
    expect(securityOf("get", "/v1/workspaces/{workspace}/flags")).toEqual([{ bearerAuth: [] }]);
    expect(securityOf("post", "/ofrep/v1/evaluate/flags")).toEqual([{ apiKey: [] }, { apiKeyBearer: [] }]);
    expect(securityOf("get", "/v1/stream")).toContainEqual({ apiKeyQuery: [] });
    expect(securityOf("post", "/v1/auth/login")).toEqual([]);
    expect(securityOf("get", "/healthz")).toEqual([]);
    expect(securityOf("post", "/v1/auth/refresh")).toEqual([{ refreshCookie: [] }, {}]);
    // Every operation says how it is authenticated (an empty list: it is public).
    for (const { path, method, operation } of operationsOf(doc)) expect(operation.security, `${method} ${path}`).toBeDefined();
  });

  it("documents evaluation, the SDK stream and the metrics server", () => {
    for (const path of ["/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/{key}"]) {
      const body = JSON.stringify((doc.paths[path]?.post as { requestBody?: unknown } | undefined)?.requestBody);
      expect(body, path).toContain('"context"');
      expect(doc.paths[path]?.post?.responses).toHaveProperty("200");
    }
    expect(JSON.stringify(doc.paths["/v1/config"]?.get?.responses?.["200"])).toContain("#/components/schemas/EnvironmentSnapshot");
    expect(Object.keys(doc.paths["/v1/stream"]?.get?.responses?.["200"] as object)).toContain("content");
    expect(JSON.stringify(doc.paths["/v1/stream"]?.get?.responses?.["200"])).toContain("text/event-stream");
    expect(doc.paths["/metrics"]?.get?.operationId).toBe("getMetrics");
    expect(JSON.stringify(doc.paths["/metrics"]?.get)).toContain("9464");
  });

  it("names its schemas after the zod contracts", () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["FlagResponse", "CreateFlagBody", "ErrorBody", "JsonValue"]));
    const flags = doc.paths["/v1/workspaces/{workspace}/flags"]?.post as unknown as {
      requestBody: { content: Record<string, { schema: unknown }> };
      responses: Record<string, { content: Record<string, { schema: unknown }> }>;
    };
    expect(flags.requestBody.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/CreateFlagBody" });
    expect(flags.responses["201"]?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/FlagResponse" });
    expect(flags.responses["4XX"]?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/ErrorBody" });
  });
});
