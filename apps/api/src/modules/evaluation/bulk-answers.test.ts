import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import { compile, evaluateAll } from "@ensign/evaluator";
import { describe, expect, it } from "vitest";
import { environmentSnapshot, snapshotFlag } from "../../../test/helpers/snapshot-builders";
import { serializeResult } from "../ofrep/ofrep.schemas";
import { bulkAnswer } from "./bulk-answers";

/** A boolean flag on for the contexts whose `group` is one of `groups`, off for the rest. */
const flag = (key: string, groups: string[]): SnapshotFlag =>
  snapshotFlag({ key, state: { rules: [{ id: `${key}-rule`, conditions: [{ attribute: "group", operator: "in", values: groups }], serve: { variant: "on" } }] } });

/** A JSON flag whose one variant is larger than the largest chunk answers are written into. */
const large = snapshotFlag({
  key: "large",
  type: "json",
  variants: [
    { key: "big", value: { text: "é".repeat(40_000) } },
    { key: "small", value: { text: "s" } },
  ],
  offVariant: "small",
  onVariant: "big",
  state: { rules: [{ id: "large-rule", conditions: [{ attribute: "group", operator: "in", values: ["g3"] }], serve: { variant: "big" } }], fallthrough: { variant: "small" } },
});

const snapshot = (flags: SnapshotFlag[]) => environmentSnapshot(flags);

describe("bulk answers", () => {
  // Each context turns a different mix of flags on, so the answers are first written in an
  // order that interleaves flags, and later bodies gather them from many places.
  const flags = Array.from({ length: 300 }, (_, i) => flag(`flag_${String(i).padStart(3, "0")}`, [`g${i % 3}`, ...(i % 7 === 0 ? ["g4"] : [])]));
  flags.splice(150, 0, large);
  const compiled = compile(snapshot(flags));
  const contexts = ["g0", "g1", "g2", "g3", "g4", "g0", "g3", "none"].map((group, i) => ({ targetingKey: `user-${i}`, group }));

  it("writes each body exactly as the members written one by one, wherever each answer was first written", () => {
    const etags = new Map<string, string>();
    for (const context of contexts) {
      const results = evaluateAll(compiled, context);
      const answer = bulkAnswer(compiled, results, "ofrep-server", '{"flags":[', "]}");
      const expected = `{"flags":[${results.map((result) => serializeResult(result, "server")).join(",")}]}`;
      expect(answer.body().toString("utf8")).toBe(expected);
      // The same answers give the same ETag; different ones a different ETag.
      const seen = etags.get(expected);
      if (seen) expect(answer.etag).toBe(seen);
      else expect([...etags.values()]).not.toContain(answer.etag);
      etags.set(expected, answer.etag);
    }
    expect(new Set(etags.values()).size).toBe(6);
  });

  it("writes the portal's members with camel-cased keys, and an empty body for no flags", () => {
    const results = evaluateAll(compiled, contexts[1]!);
    const body = JSON.parse(bulkAnswer(compiled, results, "portal-camel", '{"flags":{', "}}").body().toString("utf8")) as { flags: Record<string, { value: unknown }> };
    expect(Object.keys(body.flags)).toHaveLength(301);
    expect(body.flags.flag001).toMatchObject({ value: true });
    expect(body.flags.flag000).toMatchObject({ value: false });
    expect(body.flags.large).toMatchObject({ value: { text: "s" } });
    expect(bulkAnswer(compile(snapshot([])), [], "portal", "{", "}").body().toString()).toBe("{}");
  });
});
