import { Command } from 'commander';
import type { ApprovalRecord, PromotionRecord } from '../../store/ledger-types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ago, color, short, table } from '../format.js';

type Listed = PromotionRecord & { approvals: ApprovalRecord[] };

const stateColor = { open: 'yellow', merged: 'green', rejected: 'red', failed: 'red' } as const;

export function promotionsCommand(): Command {
  return new Command('promotions')
    .description('List promotion requests, newest first: what, where, state, gates and approvals')
    .option('-a, --app <app>', 'only this app')
    .option('-e, --env <env>', 'only requests into this environment')
    .option('--state <state>', 'open, merged, rejected or failed')
    .option('-n, --limit <n>', 'how many', '20')
    .addOption(outputOption())
    .action(async (opts: { app?: string; env?: string; state?: string; limit: string }, cmd: Command) => {
      const q = new URLSearchParams({ limit: opts.limit });
      for (const k of ['app', 'env', 'state'] as const) if (opts[k]) q.set(k, opts[k]);
      const list = await client(cmd).get<Listed[]>(`/api/v1/promotions?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(list);
      if (list.length === 0) return console.log('no promotion requests');
      console.log(
        table(
          ['ID', 'APP', 'FROM', 'TO', 'STATE', 'AUTHOR', 'APPROVALS', 'GATES', 'CREATED', 'COMMIT'],
          list.map((p) => [
            `#${p.id}`,
            p.app,
            p.fromEnv ?? `(${p.kind})`,
            p.env,
            color(stateColor[p.state], p.state),
            p.author,
            p.approvals.map((a) => `${a.decision === 'approve' ? '✓' : '✗'}${a.actor}`).join(' ') || '-',
            p.gates
              .filter((g) => !g.passed)
              .map((g) => `${g.gate}: ${g.message}`)
              .join('; ') || 'all pass',
            ago(p.createdAt),
            short(p.state === 'merged' ? p.revision : undefined),
          ]),
        ),
      );
    });
}
