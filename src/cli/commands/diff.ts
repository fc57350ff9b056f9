import { Command } from 'commander';
import type { Plan } from '../../plan/types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { color } from '../format.js';

export function diffCommand(): Command {
  return new Command('diff')
    .description('Show what a sync would change: desired (newest revision) against live')
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('-e, --env <env>', 'environment')
    .option('--exit-code', 'exit 1 when there are changes')
    .addOption(outputOption())
    .action(async (app: string, opts: { env: string; exitCode?: boolean }, cmd: Command) => {
      const plan = await client(cmd).get<Plan>(
        `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/plan`,
      );
      if (outputFormat(cmd) === 'json') printJson(plan);
      else printPlan(plan);
      const changes = plan.summary.create + plan.summary.update + plan.summary.delete;
      if (opts.exitCode && changes > 0) process.exitCode = ExitCode.Failed;
    });
}

const marks = { create: '+', update: '~', delete: '-', unchanged: ' ' } as const;
const colors = { create: 'green', update: 'yellow', delete: 'red', unchanged: 'gray' } as const;

export function printPlan(plan: Plan): void {
  const s = plan.summary;
  for (const c of plan.changes) {
    if (c.action === 'unchanged') continue;
    console.log(color(colors[c.action], `${marks[c.action]} ${c.kind}/${c.name}${c.reason ? `: ${c.reason}` : ''}`));
    if (c.diff) {
      for (const line of c.diff.split('\n')) {
        const k = line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : 'gray';
        console.log(`    ${color(k, line)}`);
      }
    }
  }
  console.log(`${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged`);
}
