import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CLIENT_KEY, SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../../test/fake-ensign";
import { portalSnapshot } from "../../test/snapshots";
import { createClient } from "../remote-client";
import type { EnsignFlags } from "../../test/flags.gen";
import { main } from "./ensign-types";
import { camelCase, generateFlagTypes, withImports } from "./generate-types";

let fake: FakeEnsign;
beforeAll(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterAll(() => fake.close());

describe("ensign-types", () => {
  it("writes the flag map of the environment behind the server key", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ensign-types-"));
    vi.spyOn(console, "log").mockImplementation(() => {});
    const code = await main(["--url", fake.url, "--key", SERVER_KEY, "--out", "src/flags.gen.ts"], { INIT_CWD: dir });
    expect(code).toBe(0);
    const written = await readFile(path.join(dir, "src/flags.gen.ts"), "utf8");
    expect(written).toContain('  "ai_agents_enabled": boolean;');
    expect(written).toContain('  "checkout_theme": "classic" | "modern";');
    expect(written).toContain('  "max_seats": number;');
    expect(written).toContain('  "banner": JsonValue;');
    expect(written).toContain('import type { JsonValue } from "@ensign/sdk";');
    expect(written).toContain("interface Register {\n    flags: EnsignFlags;");
  });

  it("keeps the checked-in example in step with the generator", async () => {
    const checkedIn = await readFile(new URL("../../test/flags.gen.ts", import.meta.url), "utf8");
    expect(checkedIn).toBe(withImports(generateFlagTypes(portalSnapshot(), { register: false })));
  });

  it("fails with a message and a non-zero code on a wrong key or missing arguments", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["--url", fake.url, "--key", CLIENT_KEY, "--out", "x.ts"], { INIT_CWD: tmpdir() })).toBe(1);
    expect(errors.mock.calls[0]![0]).toMatch(/answered 401/);
    expect(await main(["--url", fake.url], {})).toBe(2);
  });

  it("spells camelCase keys as the portal endpoint does", () => {
    expect(camelCase("knowledge_base_enabled")).toBe("knowledgeBaseEnabled");
    expect(generateFlagTypes(portalSnapshot(), { keys: "camel" })).toContain('"aiAgentsEnabled": boolean;');
  });

  it("types a client's getters by the generated map", () => {
    const client = createClient<EnsignFlags>({ url: fake.url, clientKey: CLIENT_KEY });
    expect(client.getString("checkout_theme", "classic")).toBe("classic");
    // @ts-expect-error "retro" is no variant of checkout_theme
    client.getString("checkout_theme", "retro");
    // @ts-expect-error ai_agents_enabled is a boolean flag
    client.getString("ai_agents_enabled", "x");
    // @ts-expect-error no such flag
    client.getBoolean("ai_agent_enabled", false);
  });
});
