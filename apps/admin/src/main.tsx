import "@fontsource-variable/inter";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import "./index.css";

// The first load is React and this shell: it paints the loading skeleton while the app itself
// (router, query cache, session) arrives as the first lazily loaded chunk, whose own imports the
// browser fetches side by side. Each page then loads with its route.
const App = lazy(() => import("./app/app").then((m) => ({ default: m.App })));

const bar = "animate-pulse rounded-md bg-slate-200/70";

/** What the router shows while it loads the session: the same skeleton, before the router is here. */
function Loading() {
  return (
    <div className="mx-auto max-w-5xl p-10">
      <div role="status" aria-label="Loading" className="space-y-6">
        <div aria-hidden="true" className={`${bar} h-8 w-64`} />
        <div aria-hidden="true" className={`${bar} h-4 w-96`} />
        <div aria-hidden="true" className={`${bar} h-48 w-full`} />
      </div>
    </div>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Suspense fallback={<Loading />}>
      <App />
    </Suspense>
  </StrictMode>,
);

// The service worker keeps the app and the last-seen flag lists for offline viewing (ADR 0026).
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((error: unknown) => console.warn("The service worker did not register; offline viewing is off.", error));
  });
}
