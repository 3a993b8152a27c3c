import { LoginBody } from "@ensign/contracts/auth";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Field, Input } from "../../../components/ui/input";
import { ApiError } from "../../../lib/api-client";
import { useSignInMethods } from "../api/get-sign-in-methods";
import { useLogin } from "../api/login";

/** What the login page says when single sign-on sent someone back with `?error=<code>`. */
const SSO_ERRORS: Record<string, string> = {
  sso_unknown_user:
    "Your identity provider signed you in, but no active Ensign account has that email. Ask an Ensign admin to invite you with that address.",
  sso_unverified: "Your identity provider has not verified your email address, so Ensign cannot match it to an account.",
  sso_state: "That sign-in did not start in this browser. Please try again.",
  sso_expired: "The sign-in took too long or was started in another browser. Please try again.",
  sso_denied: "Your identity provider did not sign you in.",
  sso_unavailable: "The identity provider cannot be reached right now. Please try again later.",
  sso_failed: "Signing in through your identity provider failed. Please try again.",
};

export function ssoErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return SSO_ERRORS[code] ?? SSO_ERRORS.sso_failed!;
}

export interface LoginPageProps {
  onSignedIn?(): void;
  /** Where to land after signing in through the provider (a same-app path). */
  next?: string;
  /** `?error=` of the provider's way back, when it failed. */
  ssoError?: string | null;
}

export function LoginPage({ onSignedIn, next = "/", ssoError }: LoginPageProps) {
  const methods = useSignInMethods();
  const ssoMessage = ssoErrorMessage(ssoError);

  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center text-center">
          <img src="/favicon.svg" alt="" className="mb-3 h-11 w-11" />
          <h1 id="login-title" className="text-xl font-semibold tracking-tight text-slate-900">
            Sign in to Ensign
          </h1>
          <p className="mt-1 text-sm text-slate-500">Feature flags for every tenant you serve.</p>
        </div>
        <div className="space-y-5 rounded-xl border border-slate-200 bg-white p-7 shadow-sm">
          {ssoMessage && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {ssoMessage}
            </p>
          )}
          {methods.isPending ? (
            <div className="h-40" aria-busy="true" />
          ) : (
            <>
              {methods.data?.oidc && (
                <a
                  href={`${methods.data.oidc.startUrl}?next=${encodeURIComponent(next)}`}
                  className="inline-flex h-9 w-full items-center justify-center rounded-md bg-indigo-600 px-3.5 text-sm font-medium text-white shadow-sm hover:bg-indigo-500"
                >
                  Sign in with {methods.data.oidc.label}
                </a>
              )}
              {methods.data?.oidc && methods.data.password && (
                <p className="text-center text-xs text-slate-400" aria-hidden="true">
                  or
                </p>
              )}
              {/* Unless the server says otherwise (or cannot be asked), the password form is there. */}
              {methods.data?.password !== false && <PasswordForm onSignedIn={onSignedIn} isPrimary={!methods.data?.oidc} />}
            </>
          )}
        </div>
      </div>
    </main>
  );
}

function PasswordForm({ onSignedIn, isPrimary }: { onSignedIn?(): void; isPrimary: boolean }) {
  const login = useLogin();
  const form = useForm<LoginBody>({ resolver: zodResolver(LoginBody), defaultValues: { email: "", password: "" } });
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      await login.mutateAsync(values);
      onSignedIn?.();
    } catch (error) {
      form.setError("root", {
        message: error instanceof ApiError ? error.message : "Could not reach Ensign. Check your connection and try again.",
      });
    }
  });
  const { errors, isSubmitting } = form.formState;

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="login-title" className="space-y-5">
      <Field label="Email" error={errors.email?.message}>
        {(props) => <Input type="email" autoComplete="username" autoFocus={isPrimary} {...props} {...form.register("email")} />}
      </Field>
      <Field label="Password" error={errors.password?.message}>
        {(props) => <Input type="password" autoComplete="current-password" {...props} {...form.register("password")} />}
      </Field>
      {errors.root && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {errors.root.message}
        </p>
      )}
      <Button type="submit" variant={isPrimary ? "primary" : "secondary"} className="w-full justify-center" isLoading={isSubmitting}>
        {isSubmitting ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
