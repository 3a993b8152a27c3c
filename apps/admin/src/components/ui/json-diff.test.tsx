import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { diffJson, JsonDiff } from "./json-diff";

describe("diffJson", () => {
  it("lists changed, added and removed leaves by path", () => {
    expect(diffJson({ enabled: false, fallthrough: { variant: "off" }, tags: ["a"] }, { enabled: true, fallthrough: { variant: "off" }, tags: ["a", "b"], owner: "me" })).toEqual([
      { path: "enabled", before: false, after: true, kind: "changed" },
      { path: "owner", before: undefined, after: "me", kind: "added" },
      { path: "tags", before: ["a"], after: ["a", "b"], kind: "changed" },
    ]);
  });

  it("treats a created or deleted record as every field added or removed", () => {
    expect(diffJson(null, { key: "x", name: "X" }).map((r) => `${r.kind}:${r.path}`)).toEqual(["added:key", "added:name"]);
    expect(diffJson({ key: "x" }, null).map((r) => `${r.kind}:${r.path}`)).toEqual(["removed:key"]);
  });
});

describe("JsonDiff", () => {
  it("shows each changed field with its before and after", () => {
    render(<JsonDiff before={{ locked: false }} after={{ locked: true }} />);
    const row = screen.getByRole("row", { name: /locked/ });
    expect(row).toHaveTextContent("false");
    expect(row).toHaveTextContent("true");
  });
});
