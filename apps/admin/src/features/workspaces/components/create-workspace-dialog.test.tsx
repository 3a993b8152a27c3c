import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { CreateWorkspaceDialog } from "./create-workspace-dialog";

afterEach(() => vi.unstubAllGlobals());

const answer = (status: number, body: unknown) => vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));

describe("CreateWorkspaceDialog", () => {
  it("derives the slug from the name until the slug is edited", async () => {
    const { user } = renderUi(<CreateWorkspaceDialog open onOpenChange={() => {}} onCreated={() => {}} />);
    await user.type(screen.getByLabelText("Name"), "Acme Holiday Homes");
    expect(screen.getByLabelText("Slug")).toHaveValue("acme-holiday-homes");
    await user.clear(screen.getByLabelText("Slug"));
    await user.type(screen.getByLabelText("Slug"), "acme");
    await user.type(screen.getByLabelText("Name"), " BV");
    expect(screen.getByLabelText("Slug")).toHaveValue("acme");
  });

  it("refuses a bad slug with the contract's message before sending", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const { user } = renderUi(<CreateWorkspaceDialog open onOpenChange={() => {}} onCreated={() => {}} />);
    await user.type(screen.getByLabelText("Name"), "X");
    await user.clear(screen.getByLabelText("Slug"));
    await user.type(screen.getByLabelText("Slug"), "Bad Slug!");
    await user.click(screen.getByRole("button", { name: "Create workspace" }));
    expect(await screen.findByText("use 2-63 lowercase letters, digits and '-'")).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("puts the API's field errors on the fields", async () => {
    vi.stubGlobal("fetch", answer(409, { error: { code: "ALREADY_EXISTS", message: "A workspace with slug 'acme' exists already." } }));
    const onCreated = vi.fn();
    const { user } = renderUi(<CreateWorkspaceDialog open onOpenChange={() => {}} onCreated={onCreated} />);
    await user.type(screen.getByLabelText("Name"), "Acme");
    await user.click(screen.getByRole("button", { name: "Create workspace" }));
    expect(await screen.findByText("A workspace with slug 'acme' exists already.")).toBeInTheDocument();
    expect(screen.getByLabelText("Slug")).toHaveAttribute("aria-invalid", "true");
    expect(onCreated).not.toHaveBeenCalled();

    vi.stubGlobal("fetch", answer(400, { error: { code: "VALIDATION_FAILED", message: "Bad input", details: { issues: [{ path: "body.name", message: "too long" }] } } }));
    await user.click(screen.getByRole("button", { name: "Create workspace" }));
    expect(await screen.findByText("too long")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
  });
});
