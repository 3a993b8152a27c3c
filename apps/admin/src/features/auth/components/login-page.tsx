import { LoginBody } from "@ensign/contracts/auth";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Button } from "../../../components/ui/button";
import { Field, Input } from "../../../components/ui/input";
import { ApiError } from "../../../lib/api-client";
import { useLogin } from "../api/login";

export function LoginPage({ onSignedIn }: { onSignedIn?(): void }) {
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
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center text-center">
          <img src="/favicon.svg" alt="" className="mb-3 h-11 w-11" />
          <h1 id="login-title" className="text-xl font-semibold tracking-tight text-slate-900">
            Sign in to Ensign
          </h1>
          <p className="mt-1 text-sm text-slate-500">Feature flags for every tenant you serve.</p>
        </div>
        <form onSubmit={onSubmit} noValidate aria-labelledby="login-title" className="space-y-5 rounded-xl border border-slate-200 bg-white p-7 shadow-sm">
          <Field label="Email" error={errors.email?.message}>
            {(props) => <Input type="email" autoComplete="username" autoFocus {...props} {...form.register("email")} />}
          </Field>
          <Field label="Password" error={errors.password?.message}>
            {(props) => <Input type="password" autoComplete="current-password" {...props} {...form.register("password")} />}
          </Field>
          {errors.root && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {errors.root.message}
            </p>
          )}
          <Button type="submit" variant="primary" className="w-full justify-center" isLoading={isSubmitting}>
            {isSubmitting ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      </div>
    </main>
  );
}
