import { readFile, writeFile } from "node:fs/promises";
import { WorkspaceExport, type ImportResponse } from "@ensign/contracts/export";
import { Command } from "commander";
import { seg } from "../client";
import { action, type ActionHost } from "../command";
import { CliError, EXIT } from "../errors";
import { zodIssues } from "../apply/spec";

/** A large workspace's import is one transaction; give it time before calling it hung. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export function exportCommand(host: ActionHost): Command {
  return new Command("export")
    .description("the whole workspace as one JSON document (no secrets, members or audit log)")
    .option("-o, --output <file>", "write it to this file instead of standard output")
    .action(
      action(host, async (ctx, o: { output?: string }) => {
        const client = await ctx.client();
        const ws = await ctx.workspace();
        const progress = ctx.out.progress("export");
        progress.step(1, 2, `reading workspace ${ws}`);
        const doc = await client.request<WorkspaceExport>("GET", `/v1/workspaces/${seg(ws)}/export`, { timeoutMs: IMPORT_TIMEOUT_MS });
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (!o.output) {
          progress.done();
          ctx.io.stdout.write(text);
          return;
        }
        progress.step(2, 2, `writing ${o.output}`);
        await writeFile(o.output, text);
        progress.done(`${doc.flags.length} flags, ${doc.modules.length} modules, ${doc.tenants.length} tenants, ${doc.environments.length} environments in ${o.output}`);
        if (ctx.out.isJson) ctx.out.json({ file: o.output, flags: doc.flags.length, modules: doc.modules.length, tenants: doc.tenants.length });
      }),
    );
}

export function importCommand(host: ActionHost): Command {
  return new Command("import")
    .description("load an export document into a workspace that has no flags, modules, segments, tenants or identities yet")
    .argument("<file>", "a document from `ensign export` ('-' reads standard input)")
    .action(
      action(host, async (ctx, _o: object, file: string) => {
        const progress = ctx.out.progress("import");
        progress.step(1, 3, `reading ${file}`);
        const text = file === "-" ? await readStream(ctx.io.stdin) : await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
          throw new CliError(`Cannot read ${file}: ${error.code ?? error.message}`, EXIT.usage);
        });
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (error) {
          throw new CliError(`${file} is not JSON: ${(error as Error).message}`, EXIT.usage);
        }
        progress.step(2, 3, "checking the document");
        const parsed = WorkspaceExport.safeParse(raw);
        if (!parsed.success) throw new CliError(`${file} is not an Ensign export document:`, EXIT.usage, zodIssues(parsed.error));
        const client = await ctx.client();
        const ws = await ctx.workspace();
        progress.step(3, 3, `importing ${parsed.data.flags.length} flags into ${ws}`);
        const { summary } = await client.request<ImportResponse>("POST", `/v1/workspaces/${seg(ws)}/import`, {
          body: { document: raw, mode: "empty-only" },
          timeoutMs: IMPORT_TIMEOUT_MS,
        });
        progress.done("done");
        if (ctx.out.isJson) return ctx.out.json({ summary });
        const counts = Object.entries(summary).map(([name, value]) => [name, typeof value === "number" ? String(value) : `${value.created} created, ${value.updated} updated`] as [string, string]);
        ctx.out.fields(counts);
      }),
    );
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
