import { Command } from 'commander';
import type { AuditRecord } from '../../store/audit-types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { table } from '../format.js';

export function auditCommand(): Command {
  return new Command('audit')
    .description('The audit trail of the API: every mutating call, who made it and how it ended (admins and approvers)')
    .option('--app <app>', 'only calls on this app')
    .option('-e, --env <env>', 'only calls on this environment')
    .option('--since <time>', 'an ISO time or an age such as 7d or 12h')
    .option('-n, --limit <n>', 'how many', '100')
    .addOption(outputOption())
    .action(async (opts: { app?: string; env?: string; since?: string; limit: string }, cmd: Command) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.app) q.set('app', opts.app);
      if (opts.env) q.set('env', opts.env);
      if (opts.since) q.set('since', opts.since);
      const calls = await client(cmd).get<AuditRecord[]>(`/api/v1/audit?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(calls);
      if (calls.length === 0) return console.log('no recorded calls');
      console.log(
        table(
          ['TIME', 'ACTOR', 'CALL', 'APP', 'ENV', 'STATUS'],
          calls.map((c) => [c.at, c.actor, `${c.method} ${c.route}`, c.app ?? '-', c.env ?? '-', String(c.status)]),
        ),
      );
    });
}
