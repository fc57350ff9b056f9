import { Command } from 'commander';
import type { Plan } from '../../plan/types.js';
import type { SyncRecord } from '../../store/types.js';
import { ApiError } from '../client.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { color, progress, short, status } from '../format.js';
import { printPlan } from './diff.js';

export function syncCommand(): Command {
  return new Command('sync')
    .description('Ask the controller to sync an app in an environment now, and wait for the result')
    .argument('<app>', 'app name from sluice.yaml')
    .requiredOption('-e, --env <env>', 'environment')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--no-wait', 'return once the sync is queued')
    .addOption(outputOption())
    .action(async (app: string, opts: { env: string; dryRun?: boolean; wait: boolean }, cmd: Command) => {
      const api = client(cmd);
      const path = `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/sync`;
      const json = outputFormat(cmd) === 'json';
      if (opts.dryRun) {
        const plan = await api.post<Plan>(path, { dryRun: true });
        if (json) printJson(plan);
        else printPlan(plan);
        return;
      }
      if (!opts.wait) {
        await api.post(path, {});
        if (!json) console.log(`sync of ${app} in ${opts.env} queued`);
        else printJson({ queued: true });
        return;
      }
      const p = progress();
      p.update(`syncing ${app} in ${opts.env}…`);
      let res: { sync: SyncRecord | null };
      try {
        res = await api.post<{ sync: SyncRecord | null }>(path, { wait: true });
      } catch (e) {
        p.done();
        if (e instanceof ApiError && e.status === 404) process.exitCode = ExitCode.NotFound;
        throw e;
      }
      p.done();
      const r = res.sync;
      if (json) printJson(r);
      else if (!r) console.log('nothing to do');
      else {
        const s = r.plan;
        console.log(
          `${status(r.result)} ${app} ${opts.env} @ ${short(r.revision)}${s ? `  (${s.create} created, ${s.update} updated, ${s.delete} deleted)` : ''}${r.health ? `  ${status(r.health)}` : ''}`,
        );
        if (r.error)
          console.log(
            color(
              'red',
              `${r.error.file ? `${r.error.file}${r.error.line ? `:${r.error.line}` : ''}: ` : ''}${r.error.message}`,
            ) + (r.error.hint ? `\n  hint: ${r.error.hint}` : ''),
          );
      }
      process.exitCode = r && r.result === 'Failed' ? ExitCode.Failed : ExitCode.Ok;
    });
}
