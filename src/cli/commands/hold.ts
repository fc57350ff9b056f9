import { Command } from 'commander';
import type { HoldRecord } from '../../store/hold-types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { color } from '../format.js';

function describe(h: HoldRecord): string {
  const what = `${h.artifact.name}${h.artifact.tag ? `:${h.artifact.tag}` : ''}`;
  const state = h.liftedAt
    ? color('green', `lifted ${h.liftedAt} by ${h.liftedBy}: ${h.liftReason}`)
    : color('red', 'held');
  return `${h.env.padEnd(10)} ${what.padEnd(24)} ${h.digest}\n  ${state}; since ${h.heldAt} (${h.app}): ${h.reason}`;
}

/** `sluice hold list|lift`: digests held in an environment after their verification failed there. */
export function holdCommand(): Command {
  const hold = new Command('hold').description(
    'Digests held in an environment after their verification failed there: set-image and promote refuse them',
  );
  hold
    .command('list')
    // Usage errors of a subcommand reach main() like those of a command: exit 2.
    .exitOverride()
    .description('List the digests held now (with --all, lifted holds too)')
    .option('-e, --env <env>', 'only this environment')
    .option('-a, --app <app>', 'only holds placed by this app')
    .option('--all', 'lifted holds too')
    .addOption(outputOption())
    .action(async (opts: { env?: string; app?: string; all?: boolean }, cmd: Command) => {
      const q = new URLSearchParams();
      if (opts.env) q.set('env', opts.env);
      if (opts.app) q.set('app', opts.app);
      if (opts.all) q.set('all', 'true');
      const holds = await client(cmd).get<HoldRecord[]>(`/api/v1/holds${q.size ? `?${q}` : ''}`);
      if (outputFormat(cmd) === 'json') return printJson(holds);
      if (holds.length === 0) return console.log('nothing is held');
      for (const h of holds) console.log(describe(h));
    });
  hold
    .command('lift')
    .exitOverride()
    .description('Let a held digest run in the environment again (approvers and admins)')
    .argument('<digest>', 'sha256:<hex>, as `sluice hold list` shows it')
    .requiredOption('-e, --env <env>', 'environment the digest is held in')
    .requiredOption('--reason <text>', 'why it may run again; kept in the ledger')
    .addOption(outputOption())
    .action(async (digest: string, opts: { env: string; reason: string }, cmd: Command) => {
      const lifted = await client(cmd).post<HoldRecord>('/api/v1/holds/lift', {
        digest,
        env: opts.env,
        reason: opts.reason,
      });
      if (outputFormat(cmd) === 'json') return printJson(lifted);
      console.log(`${color('green', 'lifted')} ${lifted.digest} in ${lifted.env}: ${lifted.liftReason}`);
    });
  return hold;
}
