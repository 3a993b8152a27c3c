import type { Role } from "@ensign/contracts/auth";
import { screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../testing/render";
import { testScope, WithScope } from "../../testing/scope";
import { KeyboardShortcuts } from "./keyboard-shortcuts";

beforeAll(() => {
  // jsdom lays nothing out; the palette's list measures itself and scrolls its selection into view.
  Element.prototype.scrollIntoView ??= () => {};
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

afterEach(() => vi.unstubAllGlobals());

function stubApi() {
  const urls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      urls.push(url);
      const json = (body: object) => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      if (url.includes("/flags")) return json({ items: [{ key: "new-checkout", name: "New checkout" }], total: 1, page: 1, pageSize: 8 });
      if (url.includes("/tenants")) return json({ items: [{ key: "acme", name: "Acme Tickets" }], total: 1, page: 1, pageSize: 25 });
      return json({ items: [], total: 0, page: 1, pageSize: 50 });
    }),
  );
  return urls;
}

function Where() {
  return <p data-testid="where">{useLocation().pathname}</p>;
}

function renderShortcuts(role: Role = "owner") {
  const urls = stubApi();
  const setEnvironment = vi.fn();
  const scope = { ...testScope(role), setEnvironment };
  const rendered = renderUi(
    <MemoryRouter initialEntries={["/w/demo/flags"]}>
      <WithScope scope={scope}>
        <main id="main">
          <input type="search" aria-label="Search flags" />
          <textarea aria-label="Notes" />
        </main>
        <Routes>
          <Route path="*" element={<Where />} />
        </Routes>
        <KeyboardShortcuts />
      </WithScope>
    </MemoryRouter>,
  );
  return { ...rendered, urls, setEnvironment };
}

describe("KeyboardShortcuts", () => {
  it("moves focus to the page's search box on /, and leaves / alone while typing in a field", async () => {
    const { user } = renderShortcuts();
    await user.keyboard("/");
    const search = screen.getByRole("searchbox", { name: "Search flags" });
    expect(search).toHaveFocus();
    await user.type(search, "check");
    expect(search).toHaveValue("check");

    const notes = screen.getByRole("textbox", { name: "Notes" });
    await user.click(notes);
    await user.keyboard("a/b");
    expect(notes).toHaveFocus();
    expect(notes).toHaveValue("a/b");
  });

  it("lists the shortcuts on ?, and Escape closes the list", async () => {
    const { user } = renderShortcuts();
    await user.keyboard("?");
    const dialog = await screen.findByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveTextContent("Focus the search box of the page");
    expect(dialog).toHaveTextContent("Open the command palette");
    await user.keyboard("{Control>}k{/Control}");
    expect(screen.queryByRole("combobox", { name: "Command palette" })).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("closes the palette on a second Ctrl+K", async () => {
    const { user } = renderShortcuts();
    await user.keyboard("{Control>}k{/Control}");
    await screen.findByRole("combobox", { name: "Command palette" });
    await user.keyboard("{Control>}k{/Control}");
    await waitFor(() => expect(screen.queryByRole("combobox", { name: "Command palette" })).not.toBeInTheDocument());
  });

  it("opens the palette on Ctrl+K and jumps to the flag that was typed", async () => {
    const { user, urls } = renderShortcuts();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByRole("combobox");
    expect(input).toHaveFocus();
    await user.type(input, "checkout");
    await screen.findByRole("option", { name: /New checkout/ });
    await waitFor(() => expect(urls.some((u) => u.includes("/v1/workspaces/demo/flags") && u.includes("search=checkout"))).toBe(true));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("where")).toHaveTextContent("/w/demo/flags/new-checkout"));
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
  });

  it("opens on ⌘K too, offers only the pages the role may use, and switches the environment", async () => {
    const { user, setEnvironment } = renderShortcuts("viewer");
    await user.keyboard("{Meta>}k{/Meta}");
    await screen.findByRole("combobox");
    expect(screen.getByRole("option", { name: "Tenants" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: /API keys/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Create flag" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("option", { name: "Switch environment to Staging" }));
    expect(setEnvironment).toHaveBeenCalledWith("staging");
  });

  it("jumps to a sidebar page", async () => {
    const { user } = renderShortcuts();
    await user.keyboard("{Control>}k{/Control}");
    await user.click(await screen.findByRole("option", { name: "Tenants" }));
    await waitFor(() => expect(screen.getByTestId("where")).toHaveTextContent("/w/demo/tenants"));
  });

  it("matches actions by what was typed and highlights the first match", async () => {
    const { user } = renderShortcuts();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByRole("combobox", { name: "Command palette" });
    await user.type(input, "Create flag");
    await waitFor(() => expect(screen.getByRole("option", { name: "Create flag" })).toHaveAttribute("aria-selected", "true"));
  });
});
