import { describe, expect, it } from "vitest";
import { parseApplyFile } from "../src/apply/spec";
import { CliError } from "../src/errors";
import { canonicalServe, describeServe, rolloutServe } from "../src/serve";

const flag = { onVariant: "on", offVariant: "off" };

describe("rollouts", () => {
  it("serve the on variant first, in thousandths of a percent, bucketed by the attribute", () => {
    expect(rolloutServe(flag, 12.5, "tenantKey")).toEqual({
      split: { allocations: [{ variant: "on", weight: 12_500 }, { variant: "off", weight: 87_500 }], bucketBy: "tenantKey" },
    });
    expect(rolloutServe(flag, 0)).toEqual({ variant: "off" });
    expect(rolloutServe(flag, 100, "tenantKey")).toEqual({ variant: "on" });
    expect(describeServe(rolloutServe(flag, 30, "tenantKey"))).toBe("on 30%, off 70% by tenantKey");
  });

  it("compare by meaning: zero weights, one full allocation and targetingKey are spelling", () => {
    const full = { split: { allocations: [{ variant: "on", weight: 100_000 }, { variant: "off", weight: 0 }], bucketBy: "targetingKey" } };
    expect(canonicalServe(full)).toEqual({ variant: "on" });
    const split = { split: { allocations: [{ variant: "on", weight: 40_000 }, { variant: "off", weight: 60_000 }], bucketBy: "targetingKey" } };
    expect(canonicalServe(split)).toEqual({ split: { allocations: split.split.allocations } });
    // The order decides who is in which bucket: it is meaning, not spelling.
    const reversed = { split: { allocations: [...split.split.allocations].reverse() } };
    expect(canonicalServe(reversed)).not.toEqual(canonicalServe(split));
  });
});

describe("apply files", () => {
  it("read YAML and JSON with defaults", () => {
    const yaml = parseApplyFile("flags:\n  - key: a\n    states:\n      production: { rollout: 20 }\n", "f.yaml");
    expect(yaml).toEqual({ modules: [], overrides: [], flags: [{ key: "a", states: { production: { rollout: 20 } } }] });
    expect(parseApplyFile(JSON.stringify({ workspace: "acme" }), "f.json")).toEqual({ workspace: "acme", modules: [], flags: [], overrides: [] });
    expect(parseApplyFile("", "empty.yaml")).toEqual({ modules: [], flags: [], overrides: [] });
  });

  it("refuse unknown fields, duplicates and a rollout beside a fallthrough, naming the path", () => {
    const issues = (text: string, name = "f.yaml") => {
      try {
        parseApplyFile(text, name);
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        return (error as CliError).details;
      }
      throw new Error("accepted");
    };
    expect(issues("flags:\n  - { key: a, colour: red }\n")).toEqual([expect.stringMatching(/^flags\[0\]: .*colour/)]);
    expect(issues("flags:\n  - { key: a }\n  - { key: a }\n")).toEqual(["flags[1]: flag a appears twice"]);
    expect(issues("flags:\n  - key: a\n    states: { prod: { rollout: 5, fallthrough: { variant: on } } }\n")).toEqual(["flags[0].states.prod.rollout: give fallthrough or rollout, not both"]);
    expect(issues("overrides:\n  - { flag: a, environment: prod, tenant: t, user: u }\n")).toHaveLength(1);
    expect(() => parseApplyFile("flags: [", "f.yaml")).toThrow(/is not valid YAML/);
    expect(() => parseApplyFile("{", "f.json")).toThrow(/is not valid JSON/);
  });
});
