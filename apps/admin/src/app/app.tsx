import { useLogout, useSession } from "../features/auth/api/session";
import { LoginPage } from "../features/auth/components/login-page";

export function App() {
  const session = useSession();
  const logout = useLogout();
  if (session.isPending) return <p className="p-8 text-sm text-slate-500">Loading…</p>;
  if (!session.data) return <LoginPage />;
  const user = session.data;
  return (
    <main className="mx-auto max-w-3xl p-8">
      <header className="mb-8 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Ensign</h1>
        <button type="button" onClick={() => logout.mutate()} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm">
          Sign out {user.email}
        </button>
      </header>
      <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500">Your workspaces</h2>
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
        {user.memberships.map((m) => (
          <li key={m.workspace.id} className="flex items-center justify-between px-4 py-3">
            <span className="font-medium">{m.workspace.name}</span>
            <span className="text-sm text-slate-500">{m.role.replace("_", " ")}{m.tenant ? ` · ${m.tenant.name}` : ""}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}
