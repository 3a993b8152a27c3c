import type { FlagResponse, FlagStateResponse } from "@ensign/contracts/flags";
import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Toaster } from "../../../components/ui/toaster";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { FlagTargeting } from "./flag-targeting";

afterEach(() => vi.unstubAllGlobals());

const stateIn = (env: string, version: number, fallthrough: FlagStateResponse["fallthrough"]): FlagStateResponse => ({
  flag: "checkout", environment: env, enabled: true, fallthrough, tenantAllow: [], tenantDeny: [], rules: [], version, updatedAt: "2026-01-01T00:00:00Z",
});

const flag = {
  id: "f1", key: "checkout", name: "Checkout", description: "", type: "boolean", module: null, tags: [], isBeta: false, onVariant: "on", offVariant: "off",
  variants: [{ key: "on", value: true }, { key: "off", value: false }],
  tenantManageable: false, trackAnalytics: true, feedbackUrl: null, dependsOn: [], lifecycle: "temporary", owner: null, deprecatedAt: null, archivedAt: null, version: 1,
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", environments: [],
} as unknown as FlagResponse;

/** Records PATCHes of the flag's state and answers each with the body applied and the next version. */
function stubApi(env: string) {
  let current = stateIn(env, 7, { variant: "off" });
  const patches: { body: Partial<FlagStateResponse>; ifMatch?: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init?: RequestInit) => {
      const body = JSON.parse((init?.body as string) ?? "{}") as Partial<FlagStateResponse>;
      if (init?.method === "PATCH") {
        patches.push({ body, ifMatch: (init.headers as Record<string, string>)["if-match"] });
        current = { ...current, ...body, version: current.version + 1 };
      }
      return new Response(JSON.stringify(current), { status: 200, headers: { "content-type": "application/json" } });
    }),
  );
  return patches;
}

function renderIn(env: "production" | "staging") {
  const scope = testScope("editor");
  const environment = scope.environments.find((e) => e.key === env)!;
  const patches = stubApi(env);
  const impact = vi.fn(() => <p>Blast radius: 4 tenants</p>);
  const rendered = renderUi(
    <WithScope scope={{ ...scope, environment, env }}>
      <FlagTargeting flag={flag} state={stateIn(env, 7, { variant: "off" })} impact={impact} />
      <Toaster />
    </WithScope>,
  );
  return { ...rendered, patches };
}

describe("FlagTargeting: safe rollouts", () => {
  it("in production, saves a rollout only once confirmed, showing who it affects", async () => {
    const { user, patches } = renderIn("production");
    fireEvent.change(screen.getByLabelText("Rollout percentage"), { target: { value: "30" } });
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    const dialog = screen.getByRole("dialog", { name: "Save 1 change to Checkout in Production?" });
    expect(dialog).toHaveTextContent("Blast radius: 4 tenants");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(patches).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Save changes" }));
    await vi.waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]!.ifMatch).toBe('"7"');
    expect(await screen.findByText("Targeting saved in Production")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Undo" })).not.toBeInTheDocument();
  });

  it("elsewhere, saves at once and Undo restores the previous rollout with the new version", async () => {
    const { user, patches } = renderIn("staging");
    fireEvent.change(screen.getByLabelText("Rollout percentage"), { target: { value: "30" } });
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await vi.waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]!.body.fallthrough).toMatchObject({ split: { allocations: [{ variant: "on", weight: 30_000 }, { variant: "off", weight: 70_000 }] } });

    await user.click(await screen.findByRole("button", { name: "Undo" }));
    await vi.waitFor(() => expect(patches).toHaveLength(2));
    expect(patches[1]).toEqual({ body: { fallthrough: { variant: "off" } }, ifMatch: '"8"' });
    expect(await screen.findByText("Targeting restored in Staging")).toBeInTheDocument();
  });
});
