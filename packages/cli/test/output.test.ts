import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createOutput, type Io } from "../src/output";

function io(isTty: boolean) {
  const text = { stdout: "", stderr: "" };
  const stream = (name: "stdout" | "stderr") =>
    Object.assign(
      new Writable({
        write(chunk, _encoding, callback) {
          text[name] += String(chunk);
          callback();
        },
      }),
      { isTTY: isTty },
    );
  return { text, io: { stdout: stream("stdout"), stderr: stream("stderr"), stdin: process.stdin, env: {} } satisfies Io };
}

const rows = [
  { key: "new_checkout", state: "on 30%" },
  { key: "x", state: "off\tnow" },
];
const columns = [
  { header: "KEY", value: (r: (typeof rows)[number]) => r.key },
  { header: "STATE", value: (r: (typeof rows)[number]) => r.state },
];

describe("output", () => {
  it("aligns a table with a header on a terminal", () => {
    const { text, io: terminal } = io(true);
    createOutput(terminal, { json: false }).table(rows, columns);
    expect(text.stdout).toBe("KEY           STATE\nnew_checkout  on 30%\nx             off now\n");
  });

  it("writes tab-separated rows without a header when piped", () => {
    const { text, io: piped } = io(false);
    createOutput(piped, { json: false }).table(rows, columns);
    expect(text.stdout).toBe("new_checkout\ton 30%\nx\toff now\n");
  });

  it("rewrites one progress line on a terminal and writes a line per step in a log", () => {
    const terminal = io(true);
    const progress = createOutput(terminal.io, { json: false }).progress("applying");
    progress.step(1, 2, "a");
    progress.step(2, 2, "b");
    progress.done("done");
    expect(terminal.text.stderr).toBe("\r\x1b[2Kapplying [1/2] a\r\x1b[2Kapplying [2/2] b\r\x1b[2Kapplying: done\n");
    expect(terminal.text.stdout).toBe("");

    const log = io(false);
    const logged = createOutput(log.io, { json: false }).progress("applying");
    logged.step(1, 1, "a");
    logged.done();
    expect(log.text.stderr).toBe("applying [1/1] a\n");

    const long = io(false);
    const many = createOutput(long.io, { json: false }).progress("reading");
    for (let i = 1; i <= 100; i++) many.step(i, 100, `flag ${i}`);
    expect(long.text.stderr.trim().split("\n")).toHaveLength(21);
    expect(long.text.stderr).toContain("reading [1/100] flag 1\nreading [5/100] flag 5\n");
    expect(long.text.stderr.endsWith("reading [100/100] flag 100\n")).toBe(true);

    const quiet = io(false);
    createOutput(quiet.io, { json: false, quiet: true }).progress("applying").step(1, 1, "a");
    expect(quiet.text.stderr).toBe("");
  });
});
