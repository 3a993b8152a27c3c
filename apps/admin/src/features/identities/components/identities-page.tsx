import type { IdentityResponse } from "@ensign/contracts/identities";
import { UserRound } from "lucide-react";
import { useState } from "react";
import { Card } from "../../../components/ui/card";
import { EmptyState } from "../../../components/ui/empty-state";
import { ErrorPanel } from "../../../components/ui/error-boundary";
import { Input } from "../../../components/ui/input";
import { PageHeader } from "../../../components/ui/page-header";
import { Pagination } from "../../../components/ui/pagination";
import { SearchInput } from "../../../components/ui/search-input";
import { Skeleton, TableSkeleton } from "../../../components/ui/skeleton";
import { Table, TBody, Td, Th, THead, Tr } from "../../../components/ui/table";
import { cn } from "../../../lib/cn";
import { formatRelative } from "../../../lib/format";
import { useDebouncedValue } from "../../../lib/use-debounced-value";
import { useWorkspaceScope } from "../../../lib/workspace-scope";
import { useIdentities, useTraitStats } from "../api/get-identities";
import { IdentityFlags } from "./identity-flags";
import { TraitSpread } from "./trait-spread";

const shown = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function TraitList({ traits }: { traits: IdentityResponse["traits"] }) {
  const entries = Object.entries(traits);
  if (entries.length === 0) return <p className="text-sm text-slate-500">No traits.</p>;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="font-mono text-xs text-slate-500">{name}</dt>
          <dd className="font-mono text-xs break-all text-slate-900">{shown(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * End users' server-side traits in the chosen environment (onboarding stage, verified e-mail,
 * actions...): how they spread over a trait's values, and for one identity which flags its
 * traits unlock and why.
 */
export function IdentitiesPage() {
  const { ws, env, environment } = useWorkspaceScope();
  const [trait, setTrait] = useState("stage");
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<IdentityResponse | null>(null);
  const debouncedTrait = useDebouncedValue(trait.trim(), 300);
  const debouncedSearch = useDebouncedValue(search.trim());
  const stats = useTraitStats(ws, env, debouncedTrait);
  const identities = useIdentities(ws, env, { search: debouncedSearch || undefined, page });

  return (
    <>
      <PageHeader
        title="Identities"
        description={`End users your backend sends traits for, in ${environment.name}. Their traits unlock features progressively: after sign-up, after e-mail verification, after a number of actions.`}
      />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-4">
          <Card
            title="Spread"
            description="How many identities hold each value of a trait."
            actions={<Input aria-label="Trait" className="w-40 font-mono text-xs" value={trait} onChange={(e) => setTrait(e.target.value)} />}
          >
            {stats.isError ? <ErrorPanel error={stats.error} /> : stats.data ? <TraitSpread stats={stats.data} /> : debouncedTrait ? <Skeleton className="h-20" /> : <p className="text-sm text-slate-500">Name a trait.</p>}
          </Card>

          <div className="flex items-center justify-between gap-3">
            <SearchInput label="Search identities" placeholder="User key starts with…" value={search} onChange={(value) => { setSearch(value); setPage(1); }} />
          </div>
          {identities.isError && <ErrorPanel error={identities.error} onRetry={() => void identities.refetch()} />}
          {identities.isPending && <TableSkeleton rows={6} columns={3} />}
          {identities.data && identities.data.total === 0 && (
            <EmptyState icon={UserRound} title={debouncedSearch ? "No identity matches" : "No identities yet"}>
              {debouncedSearch ? "No user key starts with that." : "Your backend creates identities by sending traits with a server key: PUT or PATCH /v1/identities/{key}/traits."}
            </EmptyState>
          )}
          {identities.data && identities.data.total > 0 && (
            <>
              <Table label="Identities">
                <THead>
                  <Tr>
                    <Th>User key</Th>
                    <Th>Traits</Th>
                    <Th>Updated</Th>
                  </Tr>
                </THead>
                <TBody>
                  {identities.data.items.map((identity) => (
                    <Tr key={identity.id} className={cn(selected?.id === identity.id && "bg-indigo-50/60")}>
                      <Td className="whitespace-nowrap">
                        <button type="button" className="font-mono text-xs text-indigo-700 hover:underline" aria-pressed={selected?.id === identity.id} onClick={() => setSelected(identity)}>
                          {identity.key}
                        </button>
                      </Td>
                      <Td className="max-w-[16rem] truncate font-mono text-xs text-slate-600 2xl:max-w-md" title={JSON.stringify(identity.traits)}>
                        {Object.entries(identity.traits).map(([name, value]) => `${name}=${shown(value)}`).join("  ")}
                      </Td>
                      <Td className="whitespace-nowrap text-slate-500">{formatRelative(identity.updatedAt)}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={page} pageSize={25} total={identities.data.total} onPageChange={setPage} noun="identities" />
            </>
          )}
        </div>

        <aside aria-label="Identity" className="min-w-0">
          {selected ? (
            <Card title={<span className="font-mono">{selected.key}</span>} description={`Version ${selected.version}, updated ${formatRelative(selected.updatedAt)}`}>
              <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Traits</h3>
              <TraitList traits={selected.traits} />
              <h3 className="mt-5 mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Flags</h3>
              <IdentityFlags ws={ws} env={env} identityKey={selected.key} />
            </Card>
          ) : (
            <p className="rounded-lg border border-dashed border-slate-300 p-5 text-sm text-slate-500">Choose an identity to see its traits and which flags they unlock, and why.</p>
          )}
        </aside>
      </div>
    </>
  );
}
