import { Command } from "commander";
import { readApplyFile } from "../apply/spec";
import { planApply, type Change, type Plan } from "../apply/plan";
import { action, type ActionHost } from "../command";
import type { Context } from "../context";
import { CliError, EXIT, usageError } from "../errors";

const SYMBOL: Record<Change["action"], string> = { create: "+", set: "+", update: "~", archive: "-", restore: "+" };

export function applyCommand(host: ActionHost): Command {
  return new Command("apply")
    .description("make the workspace match a YAML or JSON file of modules, flags, states and overrides (seed 002's BootstrapFeatures)")
    .argument("<file>", "the file (.yaml, .yml or .json)")
    .option("--dry-run", "print what would change, change nothing")
    .option("--check", "change nothing; exit 4 when the workspace differs from the file (drift)")
    .addHelpText(
      "after",
      `
Only what the file names is managed: fields, environments, flags and overrides it leaves out stay
as they are. Running it again changes nothing. A file:

  workspace: acme
  modules:
    - { key: FIN, name: Finance, keyPrefix: fin_ }
  flags:
    - key: fin_invoices
      name: Invoices
      module: FIN
      states:
        staging: { enabled: true }
        production: { enabled: true, rollout: { percent: 25, by: tenantKey } }
  overrides:
    - { flag: fin_invoices, environment: production, tenant: acme-corp, variant: "on" }

See packages/cli/README.md for every field.`,
    )
    .action(
      action(host, async (ctx, o: { dryRun?: boolean; check?: boolean }, file: string) => {
        if (o.dryRun && o.check) throw usageError("Pass --dry-run or --check, not both.");
        const spec = await readApplyFile(file);
        const client = await ctx.client();
        const workspace = await ctx.workspace(spec.workspace);
        const reading = ctx.out.progress("reading");
        const plan = await planApply(client, workspace, spec, (done, total, what) => reading.step(done, total, what));
        reading.done();

        if (o.check || o.dryRun) {
          printPlan(ctx, plan, file, false);
          return o.check && plan.changes.length > 0 ? EXIT.drift : EXIT.ok;
        }
        if (plan.changes.length === 0) {
          printPlan(ctx, plan, file, true);
          return;
        }
        if (!ctx.out.isJson) printPlan(ctx, plan, file, false);
        const applying = ctx.out.progress("applying");
        for (const [i, change] of plan.changes.entries()) {
          const what = `${change.action} ${change.kind} ${change.target}`;
          applying.step(i + 1, plan.changes.length, what);
          try {
            await change.run(client);
          } catch (error) {
            applying.done();
            if (!(error instanceof CliError)) throw error;
            // The changes before this one are made; running apply again (after fixing the cause) finishes the rest.
            const done = i === 0 ? "nothing was changed" : `the ${count(i)} before it ${i === 1 ? "was" : "were"} made`;
            throw new CliError(`${what}: ${error.message}`, error.exitCode, [...error.details, `${done}; ${count(plan.changes.length - i)} not made.`]);
          }
        }
        applying.done();
        if (ctx.out.isJson) return ctx.out.json(planJson(plan, file, true));
        ctx.out.line(`Applied ${count(plan.changes.length)} to ${workspace}.`);
      }),
    );
}

const count = (n: number) => `${n} change${n === 1 ? "" : "s"}`;

function planJson(plan: Plan, file: string, isApplied: boolean) {
  return {
    workspace: plan.workspace,
    file,
    drift: plan.changes.length > 0,
    applied: isApplied,
    changes: plan.changes.map(({ action, kind, target, fields }) => ({ action, kind, target, fields })),
  };
}

function printPlan(ctx: Context, plan: Plan, file: string, isApplied: boolean) {
  if (ctx.out.isJson) return ctx.out.json(planJson(plan, file, isApplied));
  if (plan.changes.length === 0) {
    ctx.out.line(`No changes: ${plan.workspace} matches ${file}.`);
    return;
  }
  for (const change of plan.changes) {
    ctx.out.line(`${SYMBOL[change.action]} ${change.action} ${change.kind} ${change.target}`);
    for (const f of change.fields) ctx.out.line(f.before === "" ? `    ${f.field}: ${f.after}` : `    ${f.field}: ${f.before} -> ${f.after}`);
  }
  ctx.out.line(`${count(plan.changes.length)} between ${file} and ${plan.workspace}.`);
}
