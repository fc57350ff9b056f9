import { Command } from 'commander';
import type { ProjectStatus } from '../../reconcile/index.js';
import { ago, color, short, status, table } from '../format.js';
import { ApiError } from '../client.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { NotFoundError } from '../../errors/index.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('Show every app × environment: revision, sync status, health, drift, last sync')
    .addOption(outputOption())
    .option('--app <app>', 'only this app')
    .option('--env <env>', 'only this environment')
    .option('--status <status>', 'only scopes with this sync status or health (OutOfSync, Failed, Degraded…)')
    .action(async (opts: { app?: string; env?: string; status?: string }, cmd: Command) => {
      const api = client(cmd);
      const query = new URLSearchParams(
        Object.entries({ app: opts.app, env: opts.env, status: opts.status }).filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      );
      // The server filters; a name it does not know is explained from the whole status.
      const s = await api
        .get<ProjectStatus>(`/api/v1/status${query.size ? `?${query}` : ''}`)
        .catch(async (e: unknown) => {
          if (e instanceof ApiError && e.status === 404)
            throw notFound(await api.get<ProjectStatus>('/api/v1/status'), opts);
          throw e;
        });
      const wanted = opts.status?.toLowerCase();
      // Filtered here too: a server older than the filters answers with every scope.
      const apps = s.apps.filter(
        (a) =>
          (!opts.app || a.app === opts.app) &&
          (!opts.env || a.env === opts.env) &&
          (!wanted || a.sync.toLowerCase() === wanted || a.health.toLowerCase() === wanted),
      );
      if (apps.length === 0 && opts.app && opts.env && !opts.status)
        throw notFound(await api.get<ProjectStatus>('/api/v1/status'), opts);
      if (outputFormat(cmd) === 'json') {
        printJson({ ...s, apps });
      } else {
        const src = s.source;
        console.log(
          `${color('bold', s.project)}  ${src.url} ${src.branch}@${short(src.revision)}  fetched ${ago(src.lastFetchAt)}`,
        );
        if (src.error)
          console.log(
            color('red', `  source: ${src.error.message}${src.error.hint ? `\n  hint: ${src.error.hint}` : ''}`),
          );
        if (s.projectError)
          console.log(color('red', `  sluice.yaml: ${where(s.projectError)}${s.projectError.message}`));
        console.log('');
        console.log(
          table(
            ['APP', 'ENV', 'REVISION', 'SYNC', 'HEALTH', 'LAST SYNC', 'MESSAGE'],
            apps.map((a) => [
              a.app,
              a.env,
              short(a.syncedRevision ?? a.desiredRevision),
              status(a.sync),
              status(a.health),
              a.lastSync ? `${a.lastSync.result} ${ago(a.lastSync.finishedAt ?? a.lastSync.startedAt)}` : '-',
              message(a),
            ]),
          ),
        );
      }
      const bad = apps.some((a) => a.sync === 'Failed' || a.sync === 'Stalled' || a.health === 'Degraded');
      process.exitCode = bad ? ExitCode.Failed : ExitCode.Ok;
    });
}

/** The error, drift or reason, then when a failed sync is tried again and why health is unknown. */
function message(a: ProjectStatus['apps'][number]): string {
  const parts = [
    a.error
      ? `${where(a.error)}${a.error.message}`
      : a.drift
        ? `drift: ${a.drift.causes.join('; ')}`
        : (a.reason ?? ''),
  ];
  if (a.nextAttemptAt) parts.push(`retry ${(a.attempts ?? 0) + 1} ${until(a.nextAttemptAt)}`);
  if (a.sync === 'Stalled') parts.push('waits for a new revision or `sluice sync`');
  if (a.healthReason) parts.push(`health: ${a.healthReason}`);
  return parts.filter(Boolean).join('; ');
}

function until(iso: string): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
  return s < 60 ? `in ${s}s` : `in ${Math.round(s / 60)}m`;
}

function where(e: { file?: string; line?: number }): string {
  return e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
}

/** A filter that matches nothing names something that does not exist: exit 4, as `diff` does. */
function notFound(s: ProjectStatus, opts: { app?: string; env?: string }): NotFoundError {
  const apps = [...new Set(s.apps.map((a) => a.app))];
  const envs = s.environments.map((e) => e.name);
  if (opts.app && !apps.includes(opts.app)) {
    return new NotFoundError('APP_NOT_FOUND', `no app "${opts.app}" in project ${s.project}`, {
      hint: `Apps: ${apps.join(', ') || 'none yet'}.`,
    });
  }
  if (opts.env && !envs.includes(opts.env)) {
    return new NotFoundError('ENV_NOT_FOUND', `no environment "${opts.env}" in project ${s.project}`, {
      hint: `Environments: ${envs.join(', ') || 'none yet'}.`,
    });
  }
  const deployedTo = s.apps.filter((a) => a.app === opts.app).map((a) => a.env);
  return new NotFoundError('SCOPE_NOT_FOUND', `app "${opts.app}" is not deployed to environment "${opts.env}"`, {
    hint: `${opts.app} runs in: ${deployedTo.join(', ')}.`,
  });
}
