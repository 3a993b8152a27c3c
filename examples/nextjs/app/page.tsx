import { ensignSettings, loadFlags } from "./flags";
import { FlagsProvider } from "./flags-provider";
import { Sidebar } from "./sidebar";

// Flags depend on who asks: render on every request.
export const dynamic = "force-dynamic";

interface PageProps {
  searchParams: Promise<{ producer?: string }>;
}

export default async function Page({ searchParams }: PageProps) {
  // A real portal takes the producer from its session; this example takes it from ?producer=.
  const producer = (await searchParams).producer ?? "desert-laughs";
  const context = { targetingKey: `owner@${producer}`, tenantKey: producer };
  const bootstrap = await loadFlags(context);
  return (
    <FlagsProvider {...ensignSettings()} context={context} bootstrap={bootstrap}>
      <h1>{producer}</h1>
      <Sidebar />
    </FlagsProvider>
  );
}
