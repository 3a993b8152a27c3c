import type { Page } from "@ensign/contracts/common";
import { useQueries } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";

/**
 * The rows of a paginated list endpoint for a virtual table: the first page always (it carries
 * the total), plus whichever pages the rows on screen fall in. Each page is its own query under
 * `key`, so a mutation invalidating the list's prefix refreshes them, and scrolling back is free.
 */
export function usePagedRows<T>(key: readonly unknown[], fetchPage: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = 100) {
  const [range, setRange] = useState({ first: 0, last: 0 });
  const pages = useMemo(() => {
    const from = Math.floor(range.first / pageSize) + 1;
    const to = Math.floor(range.last / pageSize) + 1;
    const wanted = new Set([1]);
    for (let page = from; page <= to; page++) wanted.add(page);
    return [...wanted];
  }, [range, pageSize]);
  const results = useQueries({
    queries: pages.map((page) => ({ queryKey: [...key, { page, pageSize }], queryFn: () => fetchPage(page, pageSize) })),
  });
  const firstPage = results[0]!;
  // While another filter's first page loads, the last total stands, so the table does not flash.
  const [lastTotal, setLastTotal] = useState<number | null>(null);
  if (firstPage.data && firstPage.data.total !== lastTotal) setLastTotal(firstPage.data.total);
  const loaded = new Map<number, T[]>();
  results.forEach((result, i) => result.data && loaded.set(pages[i]!, result.data.items));
  const loadedRows = () => [...loaded.values()].flat();
  const rowAt = (index: number) => loaded.get(Math.floor(index / pageSize) + 1)?.[index % pageSize];
  const onRangeChange = useCallback((first: number, last: number) => setRange((r) => (r.first === first && r.last === last ? r : { first, last })), []);
  return {
    total: firstPage.data?.total ?? lastTotal ?? 0,
    rowAt,
    /** Every row of the pages loaded now. */
    loadedRows,
    onRangeChange,
    // After an empty list, another filter's rows load as skeletons rather than as "nothing here".
    isPending: firstPage.isPending && !lastTotal,
    /** A new first page (another filter) is on its way; the rows shown are the previous ones. */
    isPlaceholder: firstPage.isPending && !!lastTotal,
    isError: firstPage.isError,
    error: firstPage.error,
    isFetching: results.some((r) => r.isFetching),
    refetch: () => Promise.all(results.map((r) => r.refetch())),
  };
}
