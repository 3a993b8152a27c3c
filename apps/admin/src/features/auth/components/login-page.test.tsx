import type { SignInMethods } from "@ensign/contracts/auth";
import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { LoginPage } from "./login-page";

afterEach(() => vi.unstubAllGlobals());

const PASSWORD_ONLY: SignInMethods = { password: true, oidc: null };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The API as the page sees it: how one may sign in, and the answer to a password sign-in. */
function stubApi(methods: SignInMethods, login: () => Response = () => json({}, 500)) {
  const fetch = vi.fn(async (input: RequestInfo | URL) => (String(input).endsWith("/v1/auth/providers") ? json(methods) : login()));
  vi.stubGlobal("fetch", fetch);
  return { loginCalls: () => fetch.mock.calls.filter(([input]) => String(input).endsWith("/v1/auth/login")) };
}

describe("LoginPage", () => {
  it("names each bad field before anything is sent", async () => {
    const api = stubApi(PASSWORD_ONLY);
    const { user } = renderUi(<LoginPage />);
    await user.type(await screen.findByLabelText("Email"), "not-an-email");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/invalid email/i)).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(api.loginCalls()).toHaveLength(0);
  });

  it("shows the API's refusal", async () => {
    stubApi(PASSWORD_ONLY, () => json({ error: { code: "INVALID_CREDENTIALS", message: "Wrong email or password." } }, 401));
    const onSignedIn = vi.fn();
    const { user } = renderUi(<LoginPage onSignedIn={onSignedIn} />);
    await user.type(await screen.findByLabelText("Email"), "ada@example.com");
    await user.type(screen.getByLabelText("Password"), "not-it");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("offers the identity provider's button beside the password form, keeping where to land", async () => {
    stubApi({ password: true, oidc: { label: "Acme SSO", startUrl: "/v1/auth/oidc/start" } });
    renderUi(<LoginPage next="/w/demo/flags" />);
    const button = await screen.findByRole("link", { name: "Sign in with Acme SSO" });
    expect(button).toHaveAttribute("href", "/v1/auth/oidc/start?next=%2Fw%2Fdemo%2Fflags");
    expect(screen.getByLabelText("Password")).toBeInTheDocument();
  });

  it("hides the password form when password sign-in is off", async () => {
    stubApi({ password: false, oidc: { label: "Acme SSO", startUrl: "/v1/auth/oidc/start" } });
    renderUi(<LoginPage />);
    expect(await screen.findByRole("link", { name: "Sign in with Acme SSO" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Password")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Sign in" })).not.toBeInTheDocument();
  });

  it("says in words why single sign-on sent someone back", async () => {
    stubApi({ password: false, oidc: { label: "Acme SSO", startUrl: "/v1/auth/oidc/start" } });
    renderUi(<LoginPage ssoError="sso_unknown_user" />);
    expect(screen.getByRole("alert")).toHaveTextContent(/no active Ensign account has that email/);
    expect(await screen.findByRole("link", { name: "Sign in with Acme SSO" })).toBeInTheDocument();
  });
});
