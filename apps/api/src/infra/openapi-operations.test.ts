import { describe, expect, it } from "vitest";
import { operationIdOf } from "./openapi-operations";

describe("operationIdOf", () => {
  it("lists and creates collections", () => {
    expect(operationIdOf("GET", "/v1/workspaces/:workspace/flags")).toBe("listFlags");
    expect(operationIdOf("POST", "/v1/workspaces/:workspace/flags")).toBe("createFlag");
    expect(operationIdOf("GET", "/v1/workspaces")).toBe("listWorkspaces");
    expect(operationIdOf("GET", "/v1/workspaces/:workspace/environments/:env/identities")).toBe("listIdentities");
  });

  it("reads, updates, sets and deletes single resources after their collection", () => {
    expect(operationIdOf("GET", "/v1/workspaces/:workspace")).toBe("getWorkspace");
    expect(operationIdOf("PATCH", "/v1/workspaces/:workspace/flags/:key")).toBe("updateFlag");
    expect(operationIdOf("PUT", "/v1/workspaces/:workspace/flags/:key/environments/:env/user-overrides/:userKey")).toBe("setUserOverride");
    expect(operationIdOf("DELETE", "/v1/workspaces/:workspace/environments/:env/identities/:key")).toBe("deleteIdentity");
  });

  it("names actions on a resource after the action and the resource", () => {
    expect(operationIdOf("POST", "/v1/workspaces/:workspace/flags/:key/archive")).toBe("archiveFlag");
    expect(operationIdOf("POST", "/v1/workspaces/:workspace/environments/:env/api-keys/:id/revoke")).toBe("revokeApiKey");
    expect(operationIdOf("POST", "/v1/workspaces/:workspace/environments/:env/context-secret/rotate")).toBe("rotateContextSecret");
  });

  it("reads singular resources as `get`, in camelCase", () => {
    expect(operationIdOf("GET", "/v1/workspaces/:workspace/export")).toBe("getExport");
    expect(operationIdOf("GET", "/v1/workspaces/:workspace/environments/:env/context-secret")).toBe("getContextSecret");
    expect(operationIdOf("GET", "/v1/workspaces/{workspace}/api-keys")).toBe("listApiKeys");
  });
});
