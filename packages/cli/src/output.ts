import type { Writable } from "node:stream";

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

/**
 * How a command answers: JSON with `--json`; otherwise an aligned table on a terminal, and
 * tab-separated rows without a header when piped (for `cut`, `awk` and `grep`).
 */
export interface Output {
  readonly isJson: boolean;
  json(value: unknown): void;
  table<T>(rows: T[], columns: Column<T>[]): void;
  /** Field-per-line details of one resource. */
  fields(pairs: [string, string][]): void;
  line(text: string): void;
  /** A note to a person (stderr), never in the way of piped output. */
  note(text: string): void;
  progress(label: string): Progress;
}

export interface Progress {
  step(done: number, total: number, what: string): void;
  done(summary?: string): void;
}

export function createOutput(io: Io, options: { json: boolean; quiet?: boolean }): Output {
  const isTty = Boolean(io.stdout.isTTY);
  const write = (text: string) => void io.stdout.write(`${text}\n`);
  return {
    isJson: options.json,
    json: (value) => write(JSON.stringify(value, null, 2)),
    line: write,
    note: (text) => void io.stderr.write(`${text}\n`),
    table(rows, columns) {
      const cells = rows.map((row) => columns.map((column) => clean(column.value(row))));
      if (!isTty) {
        for (const row of cells) write(row.join("\t"));
        return;
      }
      if (rows.length === 0) {
        io.stderr.write("(none)\n");
        return;
      }
      const headers = columns.map((column) => column.header);
      const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]!.length)));
      const format = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd();
      write(format(headers));
      for (const row of cells) write(format(row));
    },
    fields(pairs) {
      const width = Math.max(...pairs.map(([name]) => name.length));
      for (const [name, value] of pairs) write(isTty ? `${`${name}:`.padEnd(width + 1)}  ${value}` : `${name}\t${clean(value)}`);
    },
    progress: (label) => createProgress(io.stderr, label, Boolean(options.quiet)),
  };
}

/** Tabs and newlines would break the columns. */
const clean = (value: string) => value.replace(/[\t\r\n]+/g, " ");

/**
 * Progress on stderr: one line rewritten in place on a terminal; in a CI log, a line for the
 * first and last step and about every twentieth between (a stuck step stays visible, a long run
 * stays readable). `--quiet` keeps it silent.
 */
function createProgress(stderr: Writable & { isTTY?: boolean }, label: string, isQuiet: boolean): Progress {
  const isTty = Boolean(stderr.isTTY);
  let isOpen = false;
  return {
    step(done, total, what) {
      if (isQuiet) return;
      const text = `${label} [${done}/${total}] ${what}`;
      if (isTty) {
        stderr.write(`\r\x1b[2K${text}`);
        isOpen = true;
      } else if (done === 1 || done === total || done % Math.ceil(total / 20) === 0) stderr.write(`${text}\n`);
    },
    done(summary) {
      if (isQuiet) return;
      if (isOpen) stderr.write("\r\x1b[2K");
      isOpen = false;
      if (summary) stderr.write(`${label}: ${summary}\n`);
    },
  };
}
