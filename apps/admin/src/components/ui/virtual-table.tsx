import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";
import { cn } from "../../lib/cn";
import { Skeleton } from "./skeleton";

export interface VirtualTableProps<T> {
  label: string;
  /** Every row of the list, loaded or not: the scrollbar and `aria-rowcount` cover them all. */
  total: number;
  /** The row at `index`, or undefined while its page loads (a placeholder row shows). */
  rowAt(index: number): T | undefined;
  rowKey(row: T, index: number): string;
  /** The header row's cells. */
  header: ReactNode;
  columns: number;
  /** The row's cells. */
  renderRow(row: T, index: number): ReactNode;
  rowClassName?(row: T): string | undefined;
  /** Told which rows are on screen (with some overscan), to load their pages. */
  onRangeChange?(first: number, last: number): void;
  estimateRowHeight?: number;
  className?: string;
}

/**
 * A table whose body renders only the rows in view (`@tanstack/react-virtual`), so 10,000 rows
 * scroll as smoothly as 10. It stays a table for assistive technology: the header row is
 * `aria-rowindex` 1, each rendered row carries its place in the whole list, and the table its
 * `aria-rowcount`. Spacer rows above and below keep the scroll height of the rows not rendered.
 */
export function VirtualTable<T>({ label, total, rowAt, rowKey, header, columns, renderRow, rowClassName, onRangeChange, estimateRowHeight = 53, className }: VirtualTableProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The virtualizer's methods change what they return as the list scrolls; this component reads them on every render and is not memoized.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scrollRef.current, estimateSize: () => estimateRowHeight, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    onRangeChange?.(first, last);
  }, [first, last, onRangeChange]);
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;
  return (
    <div
      ref={scrollRef}
      data-virtual-scroll=""
      // Scrollable with the keyboard too; the table inside carries the name.
      tabIndex={0}
      role="region"
      aria-label={`${label}, scrollable`}
      className={cn("max-h-[calc(100vh-15rem)] overflow-auto rounded-lg border border-slate-200 bg-white shadow-xs", className)}
    >
      <table aria-label={label} aria-rowcount={total + 1} className="min-w-full text-sm">
        <thead className="sticky top-0 z-10 bg-slate-50 shadow-[0_1px_0_var(--color-slate-200)]">
          <tr aria-rowindex={1}>{header}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {paddingTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rowAt(item.index);
            return (
              <tr
                key={row ? rowKey(row, item.index) : `loading-${item.index}`}
                ref={virtualizer.measureElement}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                className={cn("transition-colors hover:bg-slate-50/70", row && rowClassName?.(row))}
              >
                {row ? (
                  renderRow(row, item.index)
                ) : (
                  <td colSpan={columns} className="px-4 py-3">
                    <Skeleton className="h-5 w-full" />
                    <span className="sr-only">Loading row {item.index + 1}</span>
                  </td>
                )}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
