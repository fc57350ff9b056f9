import { Command } from 'commander';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { color } from '../format.js';

export function logsCommand(): Command {
  return new Command('logs')
    .description("Print the last lines of an app's process logs in an environment")
    .argument('<app>', 'app name')
    .requiredOption('-e, --env <env>', 'environment')
    .option('-p, --process <name>', 'only this Process')
    .option('-n, --lines <n>', 'lines per replica', '100')
    .addOption(outputOption())
    .action(async (app: string, opts: { env: string; process?: string; lines: string }, cmd: Command) => {
      const q = new URLSearchParams({ lines: opts.lines });
      if (opts.process) q.set('process', opts.process);
      const logs = await client(cmd).get<{ file: string; lines: string[] }[]>(
        `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/logs?${q}`,
      );
      if (outputFormat(cmd) === 'json') return printJson(logs);
      for (const l of logs) {
        console.log(color('bold', `==> ${l.file} <==`));
        for (const line of l.lines) console.log(line);
      }
    });
}
