import { LoginBody } from "@ensign/contracts/auth";
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { ApiError } from "../../../lib/api-client";
import { useLogin } from "../api/session";

export function LoginPage() {
  const login = useLogin();
  const form = useForm<LoginBody>({ resolver: zodResolver(LoginBody), defaultValues: { email: "", password: "" } });
  const onSubmit = form.handleSubmit((values) =>
    login.mutateAsync(values).catch((error: unknown) => {
      form.setError("root", { message: error instanceof ApiError ? error.message : "Could not reach Ensign." });
    }),
  );
  const { errors, isSubmitting } = form.formState;

  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <form onSubmit={onSubmit} noValidate className="w-full max-w-sm space-y-5 rounded-xl border border-slate-200 bg-white p-8 shadow-sm" aria-labelledby="login-title">
        <div className="flex items-center gap-3">
          <img src="/favicon.svg" alt="" className="h-9 w-9" />
          <h1 id="login-title" className="text-xl font-semibold">Sign in to Ensign</h1>
        </div>
        <label className="block text-sm font-medium">
          Email
          <input type="email" autoComplete="username" autoFocus {...form.register("email")} aria-invalid={!!errors.email}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm" />
          {errors.email && <span role="alert" className="mt-1 block text-xs text-red-600">{errors.email.message}</span>}
        </label>
        <label className="block text-sm font-medium">
          Password
          <input type="password" autoComplete="current-password" {...form.register("password")} aria-invalid={!!errors.password}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm" />
          {errors.password && <span role="alert" className="mt-1 block text-xs text-red-600">{errors.password.message}</span>}
        </label>
        {errors.root && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.root.message}</p>}
        <button type="submit" disabled={isSubmitting}
          className="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-60">
          {isSubmitting ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
