import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { processProjectFiles } from '../../providers/process/index.js';
import { writeConfigRepo } from '../../scaffold/index.js';
import { fastForwardWorkingCopy } from '../../source/index.js';
import type { SyncRecord } from '../../store/types.js';
import { globals } from '../context.js';
import { color, short } from '../format.js';
import { helloScript, projectSchema } from '../paths.js';
import { startRuntime } from '../runtime.js';
import { portOption, untilSignal } from './serve.js';

export function quickstartCommand(): Command {
  return new Command('quickstart')
    .description(
      'Create (or reuse) a sample config repo in the data directory and run Sluice on it: what `npm start` does',
    )
    .addOption(portOption())
    .option('--host <host>', 'address to listen on', process.env.SLUICE_HOST ?? '127.0.0.1')
    .action(async (opts: { port: string; host: string }, cmd: Command) => {
      const { dataDir, store, instance } = globals(cmd);
      const port = Number(opts.port);
      // Sluice follows and writes a bare repo; the person edits a clone of it. Sluice's commits
      // (set-image, promote, rollback) then never move a branch under a checked-out work tree,
      // and the clone is fast-forwarded to them while it is clean.
      const repo = join(dataDir, 'quickstart', 'config');
      const bare = join(dataDir, 'quickstart', 'config.git');
      const basePort = port === 0 ? 17400 : port;
      if (!existsSync(join(repo, '.git'))) {
        writeConfigRepo(repo, quickstartFiles(dataDir, basePort), 'Deploy hello to dev, staging and prod');
        console.log(`Created a sample config repo at ${repo}`);
      } else {
        console.log(`Reusing the sample config repo at ${repo}`);
      }
      if (!existsSync(bare)) shareThroughBareRepo(repo, bare);
      let catchingUp = Promise.resolve();
      const followClone = (_revision: string, branch: string) => {
        catchingUp = catchingUp.then(async () => {
          const r = await fastForwardWorkingCopy(repo, branch);
          if (r.state === 'updated') console.log(`${color('green', '↻')} ${r.message}`);
          else if (r.state !== 'current') console.log(`${color('yellow', '!')} ${r.message}`);
        });
      };
      const rt = await startRuntime({
        repo: bare,
        dataDir,
        ...(store ? { store } : {}),
        ...(instance ? { instance } : {}),
        port,
        host: opts.host,
        onSyncFinished: printSync,
        onRevision: followClone,
      });
      const devFile = join(repo, 'apps/hello/overlays/dev/hello.yaml');
      console.log(`
${color('bold', 'Sluice is running.')}
  dashboard    ${rt.url}/
  config repo  ${repo}   (a clone of ${bare}, which Sluice follows)
  hello        dev http://127.0.0.1:${basePort + 10}/  staging :${basePort + 20}  prod :${basePort + 30}
  data dir     ${dataDir}
  sign in      with the admin token in ${join(dataDir, 'admin-token')} (the CLI here uses it by itself)

Try the loop:
  1. edit    ${devFile}   (replicas: 2, or GREETING: "Hi")
  2. commit  git -C ${repo} commit -am "Scale dev" && git -C ${repo} push
  3. watch   dev change in the dashboard; staging and prod stay as they are

set-image, promote and rollback commit to ${bare}; your clone is fast-forwarded to their
commits while it has no uncommitted change (otherwise Sluice says how to catch up).

Ctrl-C stops Sluice and every process it started.
`);
      await untilSignal(rt, true);
    });
}

/**
 * Makes `bare` the repository Sluice follows and writes, and `repo` a clone of it whose
 * `main` tracks it. A quick-start repo from before keeps its history: the bare repo is cloned
 * from it.
 */
function shareThroughBareRepo(repo: string, bare: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
  git('clone', '--quiet', '--bare', repo, bare);
  git('-C', repo, 'config', 'remote.origin.url', bare);
  git('-C', repo, 'config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*');
  git('-C', repo, 'fetch', '--quiet', 'origin');
  git('-C', repo, 'branch', '--quiet', '--set-upstream-to=origin/main', 'main');
}

/** The sample repo's files. The service runs from a pinned artifact, written to the data dir here. */
export function quickstartFiles(dataDir: string, basePort: number): Record<string, string> {
  const artifact = helloArtifact(join(dataDir, 'quickstart', 'artifacts'), '1.0.0');
  return processProjectFiles({
    project: 'quickstart',
    node: process.execPath,
    schema: projectSchema(),
    basePort,
    artifact,
  });
}

function printSync(r: SyncRecord): void {
  if (r.dryRun) return;
  const secs = (Object.values(r.timings).reduce((a, b) => a + b, 0) / 1000).toFixed(1);
  const mark = r.result === 'Succeeded' ? color('green', '✓') : color('red', '✗');
  const s = r.plan ? ` (+${r.plan.create} ~${r.plan.update} -${r.plan.delete})` : '';
  const err = r.error
    ? `\n    ${color('red', `${r.error.file ? `${r.error.file}${r.error.line ? `:${r.error.line}` : ''}: ` : ''}${r.error.message}`)}`
    : '';
  console.log(`${mark} ${r.app} ${r.env} ${short(r.revision)} ${r.result}${s} in ${secs}s — ${r.reason}${err}`);
}

/**
 * The sample service as a versioned artifact: a copy of examples/hello with its version baked
 * in, pinned by sha256. New versions are made the same way and moved with set-image and promote.
 */
export function helloArtifact(dir: string, version: string): { path: string; sha256: string; version: string } {
  const text = readFileSync(helloScript(), 'utf8').replace(
    "process.env.VERSION ?? 'dev'",
    `process.env.VERSION ?? ${JSON.stringify(version)}`,
  );
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `hello-${version}.mjs`);
  writeFileSync(path, text);
  return { path, sha256: createHash('sha256').update(text).digest('hex'), version };
}
