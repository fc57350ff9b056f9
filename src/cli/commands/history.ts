import { Command } from 'commander';
import type { SyncRecord } from '../../store/types.js';
import { client, outputFormat, printJson } from '../context.js';
import { ago, short, status, table } from '../format.js';

export function historyCommand(): Command {
  return new Command('history')
    .description('List recorded syncs, newest first: revision, trigger, why, result, duration')
    .argument('[app]', 'only this app')
    .option('-e, --env <env>', 'only this environment')
    .option('-n, --limit <n>', 'how many', '20')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (app: string | undefined, opts: { env?: string; limit: string }, cmd: Command) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (app) q.set('app', app);
      if (opts.env) q.set('env', opts.env);
      const syncs = await client(cmd).get<SyncRecord[]>(`/api/v1/syncs?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(syncs);
      console.log(
        table(
          ['ID', 'APP', 'ENV', 'REVISION', 'TRIGGER', 'RESULT', 'CHANGES', 'DURATION', 'STARTED', 'REASON'],
          syncs.map((s) => [
            String(s.id),
            s.app,
            s.env,
            short(s.revision),
            s.trigger + (s.dryRun ? ' (dry run)' : ''),
            status(s.result),
            s.plan ? `+${s.plan.create} ~${s.plan.update} -${s.plan.delete}` : '-',
            `${(Object.values(s.timings).reduce((a, b) => a + b, 0) / 1000).toFixed(1)}s`,
            ago(s.startedAt),
            s.error ? `${s.reason} → ${s.error.message}` : s.reason,
          ]),
        ),
      );
    });
}
