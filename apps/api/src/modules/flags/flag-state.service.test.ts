import type { Condition, Serve } from "@ensign/contracts/targeting";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { editor, production, recordingLimits, staging, WS } from "../../../test/helpers/service-fixtures";
import { memoryStateRepository } from "../../../test/helpers/state-repository-fake";
import { createFlagStateService } from "./flag-state.service";

const split = (on: number): Serve => ({
  split: {
    allocations: [
      { variant: "on", weight: on },
      { variant: "off", weight: 100_000 - on },
    ],
  },
});
const inCountry = (country: string): Condition[] => [{ attribute: "country", operator: "in", values: [country] }];

describe("flag state service", () => {
  let fake: ReturnType<typeof memoryStateRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let checked: string[][];
  let service: ReturnType<typeof createFlagStateService>;

  beforeEach(() => {
    fake = memoryStateRepository();
    writer = recordingWriter(fake.rows);
    const limits = recordingLimits();
    checked = limits.checked;
    service = createFlagStateService({ reading: memoryReading, writing: writer.writer, repo: fake.repo, limits: limits.limits });
  });

  it("reads a state never written as its default, disabled and serving the off variant, without creating it", async () => {
    const state = await service.get(WS, "checkout", "staging");
    expect(state).toMatchObject({ flag: "checkout", environment: "staging", enabled: false, fallthrough: { variant: "off" }, rules: [], version: 1 });
    expect(fake.states).toEqual([]);
    expect((await refusal(service.get(WS, "nothing", "staging"))).code).toBe("NOT_FOUND");
    expect((await refusal(service.get(WS, "checkout", "qa"))).code).toBe("NOT_FOUND");
    expect((await refusal(service.get("ws-other", "checkout", "staging"))).code).toBe("NOT_FOUND");
  });

  it("updates the state under the version read: audited with what changed, checked against the environment's limits, bumped for this flag only", async () => {
    const updated = await service.update(WS, "checkout", "production", 1, { fallthrough: split(25_000), tenantAllow: ["acme", "acme", "globex"] }, editor);
    expect(updated).toMatchObject({ fallthrough: split(25_000), tenantAllow: ["acme", "globex"], tenantDeny: [], version: 2 });
    expect(fake.locked).toEqual(["checkout"]);
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        environment: { id: production.id, key: "production" },
        action: "flag_state.updated",
        targetType: "flag",
        targetId: "flag-checkout",
        targetKey: "checkout",
        before: { fallthrough: { variant: "off" }, tenantAllow: [] },
        after: { fallthrough: split(25_000), tenantAllow: ["acme", "globex"] },
      },
    ]);
    expect(checked).toEqual([[production.id]]);
    expect(writer.committed.bumped).toEqual([[production.id]]);
    expect(writer.scopes).toEqual([{ flags: ["flag-checkout"] }]);
  });

  it("refuses a stale version with the current one, and writes nothing", async () => {
    await service.toggle(WS, "checkout", "staging", 1, true, editor);
    const stale = await refusal(service.update(WS, "checkout", "staging", 1, { enabled: false }, editor));
    expect(stale.code).toBe("VERSION_MISMATCH");
    expect(stale.details).toEqual({ currentVersion: 2 });
    expect(fake.stateOf("flag-checkout", staging.id)).toMatchObject({ enabled: true, version: 2 });
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["flag_state.toggled"]);
    expect(writer.committed.bumped).toEqual([[staging.id]]);
  });

  it("refuses targeting that names what does not exist, one issue per field, and tenants on both lists", async () => {
    const refused = await refusal(
      service.update(WS, "checkout", "staging", 1, { fallthrough: { variant: "maybe" }, tenantAllow: ["acme", "umbrella"], tenantDeny: ["acme"] }, editor),
    );
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect((refused.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
      "body.fallthrough.variant",
      "body.tenantAllow.1",
      "body.tenantAllow",
    ]);
    expect(fake.states).toEqual([]);
    expect(writer.committed.audit).toEqual([]);
    expect(writer.committed.bumped).toEqual([]);
  });

  it("checks one list against the other as they will be after the write", async () => {
    await service.update(WS, "checkout", "staging", 1, { tenantDeny: ["globex"] }, editor);
    const both = await refusal(service.update(WS, "checkout", "staging", 2, { tenantAllow: ["globex"] }, editor));
    expect((both.details as { issues: { path: string; message: string }[] }).issues).toEqual([
      { path: "body.tenantAllow", message: "tenants cannot be on both lists: globex" },
    ]);
  });

  it("refuses to change an archived flag's state", async () => {
    const refused = await refusal(service.toggle(WS, "retired", "staging", 1, true, editor));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe("Flag 'retired' is archived; restore it before changing its state.");
    expect(fake.states).toEqual([]);
    expect(writer.committed.audit).toEqual([]);
  });

  it("toggles: audits only the switch, bumped for this flag, without a limits check", async () => {
    const toggled = await service.toggle(WS, "checkout", "staging", 1, true, editor);
    expect(toggled).toMatchObject({ enabled: true, version: 2 });
    expect(writer.committed.audit).toEqual([
      {
        actor: editor,
        workspaceId: WS,
        environment: { id: staging.id, key: "staging" },
        action: "flag_state.toggled",
        targetType: "flag",
        targetId: "flag-checkout",
        targetKey: "checkout",
        before: { enabled: false },
        after: { enabled: true },
      },
    ]);
    expect(checked).toEqual([]);
    expect(writer.committed.bumped).toEqual([[staging.id]]);
    expect(writer.scopes).toEqual([{ flags: ["flag-checkout"] }]);
  });

  it("copies a state between environments, rules included with new ids, audited with where it came from", async () => {
    await service.update(WS, "checkout", "staging", 1, { enabled: true, fallthrough: split(50_000), tenantDeny: ["initech"] }, editor);
    fake.stateOf("flag-checkout", staging.id)!.rules = [{ id: "rule-nl", position: 0, name: "Dutch", conditions: inCountry("NL"), serve: { variant: "on" } }];

    const copied = await service.copy(WS, "checkout", 1, { from: "staging", to: "production" }, editor);
    expect(copied).toMatchObject({ environment: "production", enabled: true, fallthrough: split(50_000), tenantDeny: ["initech"], version: 2 });
    expect(copied.rules).toEqual([{ id: expect.not.stringMatching(/^rule-nl$/), name: "Dutch", conditions: inCountry("NL"), serve: { variant: "on" } }]);
    const audit = writer.committed.audit.at(-1)!;
    expect(audit).toMatchObject({
      actor: editor,
      environment: { key: "production" },
      action: "flag_state.copied",
      before: { enabled: false, fallthrough: { variant: "off" }, rules: [] },
      after: { enabled: true, fallthrough: split(50_000), tenantDeny: ["initech"], copiedFrom: "staging" },
    });
    expect(checked.at(-1)).toEqual([production.id]);
    expect(writer.committed.bumped).toEqual([[staging.id], [production.id]]);
    expect(writer.scopes.at(-1)).toEqual({ flags: ["flag-checkout"] });
  });

  it("refuses a copy onto the same environment, onto a stale version, and rules onto a deprecated flag", async () => {
    expect(() => service.copy(WS, "checkout", 1, { from: "staging", to: "staging" }, editor)).toThrow("Copy between two different environments.");
    await service.toggle(WS, "checkout", "production", 1, true, editor);
    expect((await refusal(service.copy(WS, "checkout", 1, { from: "staging", to: "production" }, editor))).code).toBe("VERSION_MISMATCH");

    await fake.repo.ensureState({} as never, WS, "flag-legacy", staging.id, { enabled: false, variant: "off" });
    fake.stateOf("flag-legacy", staging.id)!.rules = [{ id: "rule-nl", position: 0, name: null, conditions: inCountry("NL"), serve: { variant: "on" } }];
    const deprecated = await refusal(service.copy(WS, "legacy", 1, { from: "staging", to: "production" }, editor));
    expect(deprecated.code).toBe("FLAG_DEPRECATED");
    expect(fake.stateOf("flag-legacy", production.id)).toBeUndefined();
    expect(writer.committed.audit.map((a) => a.action)).toEqual(["flag_state.toggled"]);

    fake.stateOf("flag-legacy", staging.id)!.rules = [];
    await service.toggle(WS, "legacy", "staging", 1, true, editor);
    const ruleless = await service.copy(WS, "legacy", 1, { from: "staging", to: "production" }, editor);
    expect(ruleless).toMatchObject({ enabled: true, rules: [] });
  });
});
