import { Command, InvalidArgumentError, Option } from 'commander';
import type { EventRecord } from '../../store/types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ago, color, table } from '../format.js';

const severityColor = { info: 'gray', warning: 'yellow', error: 'red' } as const;

/** The server takes 1..500; checked here so a bad value is a usage error, not an HTTP 400. */
function limit(value: string): string {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('Use a whole number from 1 to 500.');
  return String(n);
}

export function eventsCommand(): Command {
  return new Command('events')
    .description('List recorded events, newest first: syncs, drift, replicas that exited, an unreachable source…')
    .option('--app <app>', 'only this app')
    .option('-e, --env <env>', 'only this environment')
    .option('--type <type>', 'only this event type, e.g. sync.failed or replica.exited')
    .addOption(new Option('-n, --limit <n>', 'how many (1-500)').default('20').argParser(limit))
    .addOption(outputOption())
    .action(async (opts: { app?: string; env?: string; type?: string; limit: string }, cmd: Command) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.app) q.set('app', opts.app);
      if (opts.env) q.set('env', opts.env);
      if (opts.type) q.set('type', opts.type);
      const events = await client(cmd).get<EventRecord[]>(`/api/v1/events?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(events);
      if (events.length === 0) return console.log('no events recorded');
      console.log(
        table(
          ['TIME', 'SEVERITY', 'APP', 'ENV', 'TYPE', 'MESSAGE'],
          events.map((e) => [
            ago(e.time),
            color(severityColor[e.severity], e.severity),
            e.app ?? '-',
            e.env ?? '-',
            e.type,
            e.message,
          ]),
        ),
      );
    });
}
