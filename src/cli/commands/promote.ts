import { Command } from 'commander';
import type { ChangeOutcome } from '../../promote/index.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { exitForDryRun, printOutcome } from './set-image.js';

export function promoteCommand(): Command {
  return new Command('promote')
    .description(
      'Promote the artifacts synced and healthy in one environment to the next: a commit, or a promotion request where the target has rules',
    )
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('--to <env>', 'target environment')
    .option('--from <env>', "source environment (default: the target's promotion.from)")
    .option('--dry-run', 'print the diff and the gates; commit nothing')
    .addOption(outputOption())
    .action(async (app: string, opts: { to: string; from?: string; dryRun?: boolean }, cmd: Command) => {
      const out = await client(cmd).post<ChangeOutcome>('/api/v1/promotions', {
        app,
        to: opts.to,
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
      });
      if (outputFormat(cmd) === 'json') printJson(out);
      else printOutcome(out);
      exitForDryRun(out);
    });
}
