import { screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { CreateFlagDialog } from "./create-flag-dialog";

afterEach(() => vi.unstubAllGlobals());

/** Answers the definitions list, and `create` for the POST. */
function stubApi(create: () => Response) {
  const posts: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === "POST") {
        posts.push(JSON.parse(init.body as string));
        return create();
      }
      return new Response(JSON.stringify({ items: [], total: 0, page: 1, pageSize: 200 }), { status: 200 });
    }),
  );
  return posts;
}

const renderDialog = () =>
  renderUi(
    <MemoryRouter>
      <WithScope scope={testScope("owner")}>
        <CreateFlagDialog open onOpenChange={() => {}} />
      </WithScope>
    </MemoryRouter>,
  );

const error = (status: number, code: string, message: string, issues?: { path: string; message: string }[]) =>
  new Response(JSON.stringify({ error: { code, message, ...(issues ? { details: { issues } } : {}) } }), { status });

describe("CreateFlagDialog", () => {
  it("generates the key from the name until the key is edited", async () => {
    stubApi(() => error(500, "INTERNAL", "no"));
    const { user } = renderDialog();
    await user.type(screen.getByLabelText("Name"), "AI Invoice Extraction");
    expect(screen.getByLabelText("Key")).toHaveValue("ai-invoice-extraction");
    await user.clear(screen.getByLabelText("Key"));
    await user.type(screen.getByLabelText("Key"), "fin_ai_extraction");
    await user.type(screen.getByLabelText("Name"), " v2");
    expect(screen.getByLabelText("Key")).toHaveValue("fin_ai_extraction");
  });

  it("validates with the contract's schema before sending", async () => {
    const posts = stubApi(() => error(500, "INTERNAL", "no"));
    const { user } = renderDialog();
    await user.type(screen.getByLabelText("Key"), "Bad Key");
    await user.click(screen.getByRole("button", { name: "Create flag" }));
    expect(await screen.findByText(/must start with a lowercase letter or digit/)).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(posts).toHaveLength(0);
  });

  it("puts the API's refusals on the fields they name", async () => {
    let answer = error(409, "ALREADY_EXISTS", "A flag with key 'seat-map' exists already.");
    const posts = stubApi(() => answer);
    const { user } = renderDialog();
    await user.type(screen.getByLabelText("Name"), "Seat map");
    await user.click(screen.getByRole("button", { name: "Create flag" }));
    expect(await screen.findByText("A flag with key 'seat-map' exists already.")).toBeInTheDocument();
    expect(screen.getByLabelText("Key")).toHaveAttribute("aria-invalid", "true");
    expect(posts[0]).toMatchObject({ key: "seat-map", name: "Seat map", type: "boolean" });

    answer = error(400, "VALIDATION_FAILED", "Bad input", [{ path: "body.dependsOn", message: "would make a cycle: a -> b -> a" }]);
    await user.click(screen.getByRole("button", { name: "Create flag" }));
    expect(await screen.findByText("would make a cycle: a -> b -> a")).toBeInTheDocument();
  });

  it("asks for variants when the flag is not boolean", async () => {
    stubApi(() => error(500, "INTERNAL", "no"));
    const { user } = renderDialog();
    await user.selectOptions(screen.getByLabelText("Type"), "string");
    expect(screen.getByLabelText("Variant 1 key")).toHaveValue("control");
    expect(screen.getByLabelText("Served when off")).toHaveValue("control");
    await user.clear(screen.getByLabelText("Variant 2 key"));
    await user.type(screen.getByLabelText("Variant 2 key"), "control");
    expect(screen.getByText('variant key "control" is used twice')).toBeInTheDocument();
  });
});
