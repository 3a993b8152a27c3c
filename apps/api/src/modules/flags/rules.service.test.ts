import type { Condition, Serve } from "@ensign/contracts/targeting";
import { LIMITS } from "@ensign/contracts/targeting";
import { beforeEach, describe, expect, it } from "vitest";
import { recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { editor, production, recordingLimits, staging, WS } from "../../../test/helpers/service-fixtures";
import { memoryStateRepository } from "../../../test/helpers/state-repository-fake";
import { createRulesService } from "./rules.service";

const inCountry = (...countries: string[]): Condition[] => [{ attribute: "country", operator: "in", values: countries }];
const on: Serve = { variant: "on" };

describe("rules service", () => {
  let fake: ReturnType<typeof memoryStateRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let checked: string[][];
  let service: ReturnType<typeof createRulesService>;
  /** The ids of the rules of checkout's state in `environmentId`, in their order. */
  const order = (environmentId = staging.id) => fake.stateOf("flag-checkout", environmentId)!.rules.map((r) => `${r.position}:${r.name}`);

  beforeEach(() => {
    fake = memoryStateRepository();
    writer = recordingWriter(fake.rows);
    const limits = recordingLimits();
    checked = limits.checked;
    service = createRulesService({ writing: writer.writer, repo: fake.repo, limits: limits.limits });
  });

  /** Adds rules `names` to checkout in staging, one version each from 1. */
  async function seed(...names: string[]) {
    let version = 1;
    const ids: string[] = [];
    for (const name of names) {
      const { ruleId, state } = await service.add(WS, "checkout", "staging", version, { name, conditions: inCountry("NL"), serve: on }, editor);
      ids.push(ruleId);
      version = state.version;
    }
    return { ids, version };
  }

  it("adds a rule where asked, appending when no position is given and clamping past the end; audited, limits checked, bumped for the flag", async () => {
    const { version } = await seed("first", "last");
    const { state, ruleId } = await service.add(WS, "checkout", "staging", version, { name: "between", position: 1, conditions: inCountry("DE"), serve: on }, editor);
    await service.add(WS, "checkout", "staging", state.version, { name: "far", position: 99, conditions: inCountry("FR"), serve: on }, editor);
    expect(order()).toEqual(["0:first", "1:between", "2:last", "3:far"]);
    expect(state.version).toBe(version + 1);
    expect(writer.committed.audit[2]).toEqual({
      actor: editor,
      workspaceId: WS,
      environment: { id: staging.id, key: "staging" },
      action: "flag_rule.created",
      targetType: "flag",
      targetId: "flag-checkout",
      targetKey: "checkout",
      after: { id: ruleId, position: 1, name: "between", conditions: inCountry("DE"), serve: on },
    });
    expect(checked).toEqual([[staging.id], [staging.id], [staging.id], [staging.id]]);
    expect(writer.committed.bumped).toEqual([[staging.id], [staging.id], [staging.id], [staging.id]]);
    expect(fake.locked).toEqual(["checkout", "checkout", "checkout", "checkout"]);
  });

  it("refuses a rule on a deprecated or archived flag, one naming an unknown segment or variant, and a stale version, writing nothing", async () => {
    const rule = { conditions: inCountry("NL"), serve: on };
    expect((await refusal(service.add(WS, "legacy", "staging", 1, rule, editor))).code).toBe("FLAG_DEPRECATED");
    expect((await refusal(service.add(WS, "retired", "staging", 1, rule, editor))).code).toBe("CONFLICT");
    const segment: Condition = { attribute: "segment", operator: "in_segment", values: ["beta", "nobody"] };
    const unknown = await refusal(service.add(WS, "checkout", "staging", 1, { conditions: [segment], serve: { variant: "maybe" } }, editor));
    expect(unknown.code).toBe("VALIDATION_FAILED");
    expect((unknown.details as { issues: { path: string }[] }).issues.map((i) => i.path).sort()).toEqual(["body.conditions.0.values.1", "body.serve.variant"]);
    expect((await refusal(service.add(WS, "checkout", "staging", 7, rule, editor))).code).toBe("VERSION_MISMATCH");
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
    expect(fake.stateOf("flag-checkout", staging.id)?.rules ?? []).toEqual([]);
  });

  it(`refuses a rule past ${LIMITS.rulesPerFlag} on one state`, async () => {
    const { version } = await seed("only");
    const state = fake.stateOf("flag-checkout", staging.id)!;
    for (let i = 1; i < LIMITS.rulesPerFlag; i++) state.rules.push({ ...state.rules[0]!, id: `filler-${i}`, position: i });
    const refused = await refusal(service.add(WS, "checkout", "staging", version, { conditions: inCountry("NL"), serve: on }, editor));
    expect(refused.code).toBe("CONFLICT");
    expect(state.version).toBe(version);
  });

  it("updates a rule, auditing only the fields that changed; an unknown rule is a 404", async () => {
    const { ids, version } = await seed("nl", "de");
    const { state } = await service.update(WS, "checkout", "staging", ids[1]!, version, { conditions: inCountry("DE", "AT"), serve: on }, editor);
    expect(state.rules.map((r) => r.conditions)).toEqual([inCountry("NL"), inCountry("DE", "AT")]);
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "flag_rule.updated",
      before: { id: ids[1], conditions: inCountry("NL") },
      after: { id: ids[1], conditions: inCountry("DE", "AT") },
    });
    expect((await refusal(service.update(WS, "checkout", "staging", "rule-x", state.version, { conditions: inCountry("NL"), serve: on }, editor))).code).toBe("NOT_FOUND");
    // A rule id of the same flag in another environment is not this state's rule.
    await service.add(WS, "checkout", "production", 1, { name: "prod", conditions: inCountry("US"), serve: on }, editor);
    const prodRule = fake.stateOf("flag-checkout", production.id)!.rules[0]!.id;
    expect((await refusal(service.update(WS, "checkout", "staging", prodRule, state.version, { conditions: inCountry("NL"), serve: on }, editor))).code).toBe("NOT_FOUND");
  });

  it("removes a rule and closes the gap in the positions, audited with the rule as it was", async () => {
    const { ids, version } = await seed("a", "b", "c");
    const { state } = await service.remove(WS, "checkout", "staging", ids[1]!, version, editor);
    expect(order()).toEqual(["0:a", "1:c"]);
    expect(state.version).toBe(version + 1);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "flag_rule.deleted", before: { id: ids[1], position: 1, name: "b" } });
    expect(writer.committed.audit.at(-1)).not.toHaveProperty("after");
  });

  it("reorders when given exactly the current rules, audited with both orders; anything else is refused and nothing moves", async () => {
    const { ids, version } = await seed("a", "b", "c");
    const [a, b, c] = ids as [string, string, string];
    for (const wrong of [[a, b], [a, b, c, "rule-x"], [a, a, b], [a, b, "rule-x"]]) {
      const refused = await refusal(service.reorder(WS, "checkout", "staging", version, wrong, editor));
      expect(refused.code).toBe("VALIDATION_FAILED");
    }
    expect(order()).toEqual(["0:a", "1:b", "2:c"]);
    const { state } = await service.reorder(WS, "checkout", "staging", version, [c, a, b], editor);
    expect(order()).toEqual(["0:c", "1:a", "2:b"]);
    expect(state.rules.map((r) => r.id)).toEqual([c, a, b]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "flag_rules.reordered", before: { order: [a, b, c] }, after: { order: [c, a, b] } });
  });
});
