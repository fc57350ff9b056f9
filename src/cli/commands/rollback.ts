import { Command } from 'commander';
import type { RollbackOutcome } from '../../promote/index.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { color, progress, short, status } from '../format.js';

export function rollbackCommand(): Command {
  return new Command('rollback')
    .description(
      'Roll an app in an environment back in one action: a commit undoing the last change to its overlay (auto-sync stays on), then wait for the sync and health',
    )
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('-e, --env <env>', 'environment')
    .option('--to <revision|promotion-id>', 'restore the overlay as of a revision, or apply a merged promotion again')
    .option('--reason <text>', 'why, recorded in the commit and the ledger')
    .option(
      '--not-a-failure',
      'a deliberate step back (needs --to and --reason): DORA does not count the change undone as failed',
    )
    .option('--no-wait', 'return once the rollback is committed')
    .option('--timeout <seconds>', 'how long to wait for the sync and health', '180')
    .option('--dry-run', 'print the diff; commit nothing')
    .addOption(outputOption())
    .action(
      async (
        app: string,
        opts: {
          env: string;
          to?: string;
          reason?: string;
          notAFailure?: boolean;
          wait: boolean;
          timeout: string;
          dryRun?: boolean;
        },
        cmd: Command,
      ) => {
        const json = outputFormat(cmd) === 'json';
        const p = progress();
        if (opts.wait && !opts.dryRun) p.update(`rolling back ${app} in ${opts.env} and waiting for health…`);
        let out: RollbackOutcome;
        try {
          out = await client(cmd).post<RollbackOutcome>(
            `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/rollback`,
            {
              wait: opts.wait,
              timeoutSeconds: Number(opts.timeout),
              ...(opts.to ? { to: opts.to } : {}),
              ...(opts.reason ? { reason: opts.reason } : {}),
              ...(opts.notAFailure ? { notAFailure: true } : {}),
              ...(opts.dryRun ? { dryRun: true } : {}),
            },
          );
        } finally {
          p.done();
        }
        if (json) return printJson(out);
        if (out.mode === 'dry-run') {
          console.log(`dry run: ${out.subject}`);
          process.stdout.write(out.diff ? `\n${out.diff}` : '(no change)\n');
          return;
        }
        console.log(`${color('green', 'committed')} ${short(out.revision)} ${out.subject}`);
        if (out.sync)
          console.log(
            `${status(out.sync.result)} sync #${out.sync.id} of ${short(out.sync.revision)}${out.sync.health ? `  ${status(out.sync.health)}` : ''}`,
          );
        process.exitCode = out.sync && out.sync.result !== 'Succeeded' ? ExitCode.Failed : ExitCode.Ok;
      },
    );
}
