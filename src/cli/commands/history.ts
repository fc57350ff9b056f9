import { Command } from 'commander';
import type { LedgerEntry } from '../../promote/index.js';
import type { SyncRecord } from '../../store/types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ago, color, short, status, table } from '../format.js';

export function historyCommand(): Command {
  return new Command('history')
    .description('List recorded syncs, newest first: revision, trigger, why, result, duration')
    .argument('[app]', 'only this app')
    .option('-e, --env <env>', 'only this environment')
    .option('-n, --limit <n>', 'how many', '20')
    .addOption(outputOption())
    .option(
      '--ledger',
      'one linked record per change: source commit → artifacts → request → approvals → commit → syncs → verification → rollback',
    )
    .action(async (app: string | undefined, opts: { env?: string; limit: string; ledger?: boolean }, cmd: Command) => {
      if (opts.ledger) return printLedger(cmd, app, opts);
      const q = new URLSearchParams({ limit: opts.limit });
      if (app) q.set('app', app);
      if (opts.env) q.set('env', opts.env);
      const syncs = await client(cmd).get<SyncRecord[]>(`/api/v1/syncs?${q}`);
      if (outputFormat(cmd) === 'json') return printJson(syncs);
      console.log(
        table(
          ['ID', 'APP', 'ENV', 'REVISION', 'TRIGGER', 'RESULT', 'CHANGES', 'DURATION', 'STARTED', 'REASON'],
          syncs.map((s) => [
            String(s.id),
            s.app,
            s.env,
            short(s.revision),
            s.trigger + (s.dryRun ? ' (dry run)' : ''),
            status(s.result),
            s.plan ? `+${s.plan.create} ~${s.plan.update} -${s.plan.delete}` : '-',
            `${(Object.values(s.timings).reduce((a, b) => a + b, 0) / 1000).toFixed(1)}s`,
            ago(s.startedAt),
            s.error ? `${s.reason} → ${s.error.message}` : s.reason,
          ]),
        ),
      );
    });
}

async function printLedger(
  cmd: Command,
  app: string | undefined,
  opts: { env?: string; limit: string },
): Promise<void> {
  const q = new URLSearchParams();
  if (app) q.set('app', app);
  if (opts.env) q.set('env', opts.env);
  const entries = (await client(cmd).get<LedgerEntry[]>(`/api/v1/ledger?${q}`)).slice(-Number(opts.limit));
  if (outputFormat(cmd) === 'json') return printJson(entries);
  if (entries.length === 0) return console.log('no recorded changes');
  for (const e of entries.reverse()) {
    const c = e.change;
    const mark = {
      deployed: color('green', 'deployed'),
      failed: color('red', 'failed'),
      'rolled-back': color('red', 'rolled back'),
      pending: color('yellow', 'pending'),
      superseded: color('gray', 'superseded'),
    }[e.status];
    console.log(
      `${color('bold', short(c.revision))} ${c.app} ${c.env} ${c.action} by ${c.author}, ${ago(c.committedAt)}: ${mark}${c.flagged ? ` ${color('red', `⚑ ${c.flagged}`)}` : ''}`,
    );
    console.log(`  ${c.subject}`);
    if (c.sourceCommit || c.ciRun)
      console.log(
        `  source   ${c.sourceCommit ? short(c.sourceCommit) : '-'}${c.sourceTime ? ` at ${c.sourceTime}` : ''}${c.ciRun ? `  ci ${c.ciRun}` : ''}`,
      );
    if (c.artifacts.length)
      console.log(
        `  artifacts ${c.artifacts.map((a) => `${a.name}=${a.tag ?? a.ref}${a.digest ? `@${a.digest.slice(0, 19)}…` : ''}`).join(', ')}`,
      );
    // Metric gates a direct change passed, with the query asked; `-o json` has every gate.
    for (const g of c.gates?.filter((x) => x.query) ?? []) {
      console.log(`  gate     ${g.passed ? color('green', '✓') : color('red', '✗')} ${g.gate}: ${g.message}`);
      console.log(`           query: ${g.query}`);
    }
    if (e.promotion) {
      const p = e.promotion;
      const reviews = p.approvals
        .map((a) => `${a.decision === 'approve' ? '✓' : '✗'} ${a.actor}${a.comment ? ` "${a.comment}"` : ''}`)
        .join(', ');
      console.log(
        `  request  #${p.id} ${p.fromEnv ? `from ${p.fromEnv} ` : ''}by ${p.author}, ${p.state}${reviews ? `; ${reviews}` : ''}`,
      );
    }
    for (const s of e.syncs)
      console.log(
        `  sync     #${s.id} ${s.trigger} ${status(s.result)}${s.health ? ` ${status(s.health)}` : ''} ${ago(s.finishedAt ?? s.startedAt)}${s.error ? ` → ${s.error}` : ''}`,
      );
    for (const v of e.verifications)
      console.log(
        `  verify   ${status(v.result === 'Passed' ? 'Succeeded' : 'Failed')} ${
          v.checks
            .filter((x) => !x.passed)
            .map((x) => x.message)
            .join('; ') || `${v.checks.length} check(s) passed`
        }`,
      );
    if (e.rolledBackBy) console.log(`  rollback undone by ${short(e.rolledBackBy)}`);
    if (c.rollbackOf) console.log(`  undoes   ${short(c.rollbackOf)}`);
  }
}
