import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { OfflineBanner } from "../components/ui/offline-banner";
import { ApiError, errorMessage, onSessionChange } from "../lib/api-client";
import { sessionQueryOptions } from "../lib/auth";

// Toasts (and their library) load after the first paint; nothing toasts before a page has loaded.
const Toaster = lazy(() => import("../components/ui/toaster").then((m) => ({ default: m.Toaster })));

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Live updates arrive by the admin events stream; focus refetches only what is stale.
        refetchOnWindowFocus: true,
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
      },
    },
    mutationCache: new MutationCache({
      // A failed write always says why, unless its caller handles the error itself (forms).
      onError: (error, _variables, _context, mutation) => {
        if (mutation.meta?.silent) return;
        void import("../components/ui/toaster").then(({ toast }) => toast.error(errorMessage(error)));
      },
    }),
  });
}

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: { silent?: boolean };
  }
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  useEffect(
    () =>
      onSessionChange((signedIn) => {
        // The session ended elsewhere (logout in another tab, revoked): back to the sign-in page.
        if (!signedIn) queryClient.setQueryData(sessionQueryOptions().queryKey, null);
      }),
    [queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <OfflineBanner />
      {children}
      <Suspense>
        <Toaster />
      </Suspense>
    </QueryClientProvider>
  );
}
