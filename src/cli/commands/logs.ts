import { Command } from 'commander';
import { parseDuration } from '../../model/duration.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { color } from '../format.js';

export function logsCommand(): Command {
  return new Command('logs')
    .description("Print the last lines of an app's logs in an environment (each replica, pod or container)")
    .argument('<app>', 'app name')
    .requiredOption('-e, --env <env>', 'environment')
    .option('-p, --process <name>', 'only this workload (a Process, a Deployment, a Compose service)')
    .option('-c, --container <name>', 'only this container of each pod (Kubernetes)')
    .option('--since <duration>', 'only lines of the last duration, e.g. 10m (Kubernetes)')
    .option('-n, --lines <n>', 'lines per replica', '100')
    .option('--tail <n>', 'the same as --lines')
    .addOption(outputOption())
    .action(
      async (
        app: string,
        opts: { env: string; process?: string; container?: string; since?: string; lines: string; tail?: string },
        cmd: Command,
      ) => {
        const q = new URLSearchParams({ lines: opts.tail ?? opts.lines });
        if (opts.process) q.set('process', opts.process);
        if (opts.container) q.set('container', opts.container);
        if (opts.since) q.set('since', String(Math.max(1, Math.ceil(parseDuration(opts.since) / 1000))));
        const logs = await client(cmd).get<{ file: string; lines: string[] }[]>(
          `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/logs?${q}`,
        );
        if (outputFormat(cmd) === 'json') return printJson(logs);
        if (logs.length === 0) console.error(`${app} has no logs in ${opts.env} that Sluice can read`);
        for (const l of logs) {
          console.log(color('bold', `==> ${l.file} <==`));
          for (const line of l.lines) console.log(line);
        }
      },
    );
}
