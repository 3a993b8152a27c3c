import type { ReactNode } from "react";

/** A page outside any workspace (sign-in, invitation, password reset): a centred card under the logo. */
export function PublicPage({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 p-6">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center text-center">
          <img src="/favicon.svg" alt="" className="mb-3 h-11 w-11" />
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {subtitle && <p className="mt-1 text-sm text-slate-500">{subtitle}</p>}
        </div>
        <div className="space-y-5 rounded-xl border border-slate-200 bg-white p-7 shadow-sm">{children}</div>
      </div>
    </main>
  );
}

/** Why a page cannot go on, in the card's place. */
export function PublicPageAlert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {children}
    </p>
  );
}
