import { Command } from 'commander';
import type { ChangeOutcome, StandaloneOutcome } from '../../promote/index.js';
import type { GateResult } from '../../store/ledger-types.js';
import { client, outputFormat, outputOption, printJson } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { color, short } from '../format.js';
import { setImageStandalone } from './set-image-standalone.js';

/**
 * The git author of a commit written straight into the repo (`--repo`, no server): SLUICE_ACTOR,
 * else the login name. A server takes the actor from the caller's credential instead.
 */
export function standaloneActor(): string {
  return process.env.SLUICE_ACTOR ?? process.env.USER ?? 'cli';
}

/** Prints what a set-image or promote did (or would do), with its gates and diff. */
/**
 * A dry run that a gate would block exits 6, so a script can tell it from one that would pass.
 * Missing approvals do not count: the change would open a request, which is what it should do.
 */
export function exitForDryRun(out: ChangeOutcome): void {
  if (out.mode === 'dry-run' && out.gates.some((g) => !g.passed && g.gate !== 'approvals'))
    process.exitCode = ExitCode.GateWouldBlock;
}

export function printOutcome(out: ChangeOutcome): void {
  const what = out.artifacts
    .map((a) => `${a.name}=${a.ref}${a.tag ? `:${a.tag}` : ''}${a.digest ? `@${a.digest.slice(0, 19)}…` : ''}`)
    .join(', ');
  if (out.mode === 'dry-run' && out.alreadyDeclared) {
    console.log(`dry run: nothing to change: ${out.env} already declares ${what}`);
  } else if (out.mode === 'dry-run') {
    console.log(
      `dry run: ${out.app} in ${out.env} would ${out.wouldRequest ? 'open a promotion request for' : 'commit'} ${what}`,
    );
  } else if (out.mode === 'committed') {
    console.log(
      `${color('green', 'committed')} ${short(out.revision)} ${out.app} in ${out.env}: ${what}${out.attempts && out.attempts > 1 ? ` (after ${out.attempts} attempts: the branch moved)` : ''}`,
    );
  } else if (out.mode === 'requested') {
    console.log(`${color('yellow', 'promotion request')} #${out.promotion!.id} for ${out.app} in ${out.env}: ${what}`);
    if (out.promotion?.external?.url) console.log(`  review at ${out.promotion.external.url}`);
    console.log(`  someone else approves with: sluice approve ${out.promotion!.id}`);
  } else {
    console.log(`nothing to change: ${out.env} already declares ${what}`);
  }
  for (const g of out.gates) printGate(g);
  if (out.mode === 'dry-run' && out.diff) process.stdout.write(`\n${out.diff}`);
}

function printStandalone(out: StandaloneOutcome): void {
  if (out.mode !== 'requested' || !out.request) return printOutcome(out);
  console.log(`${color('yellow', 'review requested')} for ${out.app} in ${out.env}: ${out.request.url}`);
  console.log(`  branch ${out.request.branch}; merging it on the host commits the change`);
  for (const g of out.gates) printGate(g);
}

export function setImageCommand(): Command {
  return new Command('set-image')
    .description(
      "Write artifacts into an environment's overlay (images by digest, Process artifacts by sha256): a commit, or a promotion request where the environment has rules",
    )
    .argument('<app>', 'app name from sluice.yaml')
    .argument('<artifacts...>', '<name>=<image>[:<tag>]@sha256:<hex>, or <process>=/abs/file[:<version>]@sha256:<hex>')
    .requiredOption('-e, --env <env>', 'environment')
    .option('--source-commit <sha>', 'commit of the app repository the artifacts were built from')
    .option('--source-time <time>', 'when that commit was made (ISO 8601); starts the lead time')
    .option('--ci-run-url <url>', 'the CI run that built the artifacts')
    .option('--dry-run', 'print the diff and the gates; commit nothing')
    .option(
      '--repo <path|url>',
      'write to this config repo directly (no Sluice server): a commit, or a pull/merge request where the environment needs a review',
    )
    .option('--branch <branch>', 'with --repo: the branch to write (default: the repo HEAD branch)')
    .addOption(outputOption())
    .action(
      async (
        app: string,
        artifacts: string[],
        opts: {
          env: string;
          sourceCommit?: string;
          sourceTime?: string;
          ciRunUrl?: string;
          dryRun?: boolean;
          repo?: string;
          branch?: string;
        },
        cmd: Command,
      ) => {
        if (opts.repo) {
          const out = await setImageStandalone({
            repo: opts.repo,
            ...(opts.branch ? { branch: opts.branch } : {}),
            app,
            env: opts.env,
            artifacts,
            actor: standaloneActor(),
            ...(opts.dryRun ? { dryRun: true } : {}),
            ...(opts.sourceCommit ? { sourceCommit: opts.sourceCommit } : {}),
            ...(opts.sourceTime ? { sourceTime: opts.sourceTime } : {}),
            ...(opts.ciRunUrl ? { ciRun: opts.ciRunUrl } : {}),
          });
          if (outputFormat(cmd) === 'json') printJson(out);
          else printStandalone(out);
          exitForDryRun(out);
          return;
        }
        const body = {
          artifacts,
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.sourceCommit ? { sourceCommit: opts.sourceCommit } : {}),
          ...(opts.sourceTime ? { sourceTime: opts.sourceTime } : {}),
          ...(opts.ciRunUrl ? { ciRun: opts.ciRunUrl } : {}),
        };
        const out = await client(cmd).post<ChangeOutcome>(
          `/api/v1/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(opts.env)}/artifacts`,
          body,
        );
        if (outputFormat(cmd) === 'json') printJson(out);
        else printOutcome(out);
        exitForDryRun(out);
      },
    );
}

/** One gate's verdict; a metric gate also shows the query it asked, so the number can be checked by hand. */
function printGate(g: GateResult): void {
  console.log(`  ${g.passed ? color('green', '✓') : color('red', '✗')} ${g.gate}: ${g.message}`);
  if (g.query) console.log(`      query: ${g.query}`);
}
