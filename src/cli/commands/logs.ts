import { Command } from 'commander';
import { parseDuration } from '../../model/duration.js';
import { ApiError, type ApiClient } from '../client.js';
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
    .option(
      '-f, --follow',
      'keep printing lines as they are written, from replicas a rollout starts too, until Ctrl-C (Kubernetes)',
    )
    .addOption(outputOption())
    .action(
      async (
        app: string,
        opts: {
          env: string;
          process?: string;
          container?: string;
          since?: string;
          lines: string;
          tail?: string;
          follow?: boolean;
        },
        cmd: Command,
      ) => {
        const q = new URLSearchParams({ lines: opts.tail ?? opts.lines });
        if (opts.process) q.set('process', opts.process);
        if (opts.container) q.set('container', opts.container);
        if (opts.since) q.set('since', String(Math.max(1, Math.ceil(parseDuration(opts.since) / 1000))));
        const path = `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/logs`;
        if (opts.follow) {
          q.set('follow', 'true');
          return follow(client(cmd), `${path}?${q}`, outputFormat(cmd) === 'json');
        }
        const logs = await client(cmd).get<{ file: string; lines: string[] }[]>(`${path}?${q}`);
        if (outputFormat(cmd) === 'json') return printJson(logs);
        if (logs.length === 0) console.error(`${app} has no logs in ${opts.env} that Sluice can read`);
        for (const l of logs) {
          console.log(color('bold', `==> ${l.file} <==`));
          for (const line of l.lines) console.log(line);
        }
      },
    );
}

/**
 * Prints each line as it comes, prefixed with its stream (`pod/web-7d9/web | …`), or as one
 * JSON object a line with -o json. Ctrl-C, SIGTERM and a closed pipe (`| head`) end it quietly.
 */
async function follow(api: ApiClient, path: string, json: boolean): Promise<void> {
  const stop = new AbortController();
  const end = () => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  const pipeClosed = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') end();
  };
  process.stdout.on('error', pipeClosed);
  try {
    for await (const raw of api.lines(path, stop.signal)) {
      if (!raw) continue;
      const line = JSON.parse(raw) as { stream?: string; text?: string; error?: Record<string, never> };
      if (line.error) throw new ApiError(200, line.error);
      if (stop.signal.aborted) break;
      if (json) process.stdout.write(`${raw}\n`);
      else process.stdout.write(`${color('dim', `${line.stream} |`)} ${line.text}\n`);
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
    process.stdout.off('error', pipeClosed);
  }
}
