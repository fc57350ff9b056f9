import { Command } from 'commander';
import { formatDuration } from '../../config/index.js';
import type { DoraReport } from '../../promote/index.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';

const dur = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));

export function doraCommand(): Command {
  return new Command('dora')
    .description(
      'DORA metrics from the deployment ledger: deployment frequency, lead time, change failure rate, time to restore (docs/dora.md)',
    )
    .option('-e, --env <env>', 'one environment (default: all)')
    .option('-a, --app <app>', 'one app (default: all)')
    .option('--since <time>', 'window start: ISO time, date, or an age such as 30d', '30d')
    .option('--until <time>', 'window end (default: now)')
    .addOption(outputOption())
    .action(async (opts: { env?: string; app?: string; since: string; until?: string }, cmd: Command) => {
      const q = new URLSearchParams({ since: opts.since });
      for (const k of ['env', 'app', 'until'] as const) if (opts[k]) q.set(k, opts[k]);
      const r = await client(cmd).get<DoraReport>(`/api/v1/dora?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(r);
      console.log(`DORA for ${r.env ?? 'every environment'}, ${r.since} → ${r.until}`);
      console.log(
        `  deployments           ${r.deployments} (${r.deploymentsPerDay}/day)${r.restorations ? `, and ${r.restorations} rollback${r.restorations === 1 ? '' : 's'}` : ''}`,
      );
      console.log(
        `  lead time for changes median ${dur(r.leadTime.medianMs)}, mean ${dur(r.leadTime.meanMs)} over ${r.leadTime.count}`,
      );
      console.log(
        `  change failure rate   ${r.changeFailureRate === null ? '-' : `${(r.changeFailureRate * 100).toFixed(1)}%`} (${r.failedDeployments}/${r.deployments})`,
      );
      console.log(
        `  time to restore       median ${dur(r.timeToRestore.medianMs)}, mean ${dur(r.timeToRestore.meanMs)} over ${r.timeToRestore.count}${r.timeToRestore.unrestored ? `, ${r.timeToRestore.unrestored} not restored` : ''}`,
      );
    });
}
