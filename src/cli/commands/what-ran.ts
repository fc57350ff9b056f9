import { Command } from 'commander';
import type { WhatRan } from '../../promote/index.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { short, table } from '../format.js';

export function whatRanCommand(): Command {
  return new Command('what-ran')
    .description(
      'What an environment ran at a moment: per app the synced revision, its artifacts and the change behind it',
    )
    .requiredOption('-e, --env <env>', 'environment')
    .option('--at <time>', 'ISO time, date, or an age such as 2h or 3d (default: now)')
    .addOption(outputOption())
    .action(async (opts: { env: string; at?: string }, cmd: Command) => {
      const q = new URLSearchParams({ env: opts.env, ...(opts.at ? { at: opts.at } : {}) });
      const r = await client(cmd).get<WhatRan>(`/api/v1/what-ran?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(r);
      console.log(`${r.env} at ${r.at}`);
      if (r.apps.length === 0) return console.log('nothing had synced successfully by then');
      console.log(
        table(
          ['APP', 'REVISION', 'SYNC', 'SYNCED AT', 'ARTIFACTS', 'CHANGE'],
          r.apps.map((a) => [
            a.app,
            short(a.revision),
            `#${a.syncId}`,
            a.syncedAt,
            a.artifacts
              .map((x) => `${x.name}=${x.tag ?? ''}${x.digest ? `@${x.digest.slice(7, 19)}` : ''}`)
              .join(', ') || '-',
            a.change
              ? `${a.change.action} ${short(a.change.revision)} by ${a.change.author}${a.change.promotionId ? ` (#${a.change.promotionId})` : ''}`
              : '-',
          ]),
        ),
      );
    });
}
