import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { onThemeChange, paletteColour } from "../../lib/theme";

export interface Series {
  label: string;
  values: (number | null)[];
  colour: string;
  /** Formats this series' values on the axis and in the legend. */
  format?(value: number): string;
}

/**
 * A small line chart over time (uPlot: ~50 kB, canvas). Timestamps are seconds since the epoch.
 * The figures are also given as a table for screen readers.
 */
export function TimeSeriesChart({ timestamps, series, height = 200, label }: { timestamps: number[]; series: Series[]; height?: number; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  // A canvas does not follow CSS: the chart is drawn again, in the theme's colours, when it changes.
  const [theme, setThemeVersion] = useState(0);
  useEffect(() => onThemeChange(() => setThemeVersion((v) => v + 1)), []);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const format = series[0]?.format;
    const text = paletteColour("slate-500", "#64748b");
    const grid = paletteColour("slate-100", "#f1f5f9");
    const ticks = paletteColour("slate-200", "#e2e8f0");
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: ticks } },
          { stroke: text, grid: { stroke: grid }, ticks: { stroke: ticks }, size: 56, values: (_u, values) => values.map((v) => (format ? format(v) : String(v))) },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: 2,
            fill: `${s.colour}1a`,
            points: { show: true, size: 5 },
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : s.format ? s.format(v) : String(v)),
          })),
        ],
      },
      [timestamps, ...series.map((s) => s.values)],
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [timestamps, series, height, theme]);

  return (
    <figure aria-label={label}>
      <div ref={container} aria-hidden="true" className="w-full text-xs" />
      <table className="sr-only">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {timestamps.map((t, i) => (
            <tr key={t}>
              <th scope="row">{new Date(t * 1000).toDateString()}</th>
              {series.map((s) => (
                <td key={s.label}>{s.values[i] ?? "—"}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
