import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArtifactArg, promote, PromotionService } from '../../src/promote/index.js';
import { writeConfigRepo } from '../../src/scaffold/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { git } from '../support/sluice.js';

/**
 * Several set-image and promote operations at once against a real repository, local and
 * behind a file:// remote that someone else pushes to meanwhile: every change lands exactly
 * once, none is lost, none is applied twice.
 */
const PROCESSES = ['a', 'b', 'c', 'd'];
const ENVS = ['dev', 'qa'];
const sha = (n: number) => n.toString(16).padStart(64, '0');

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function configRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-conc-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: conc }
spec:
  targets: { local: { provider: process } }
  environments:
    - { name: dev, target: local }
    - { name: qa, target: local, promotion: { from: dev } }
  apps:
    - { name: web, path: apps/web }
`,
  };
  for (const env of ENVS) {
    for (const p of PROCESSES) {
      files[`apps/web/overlays/${env}/${p}.yaml`] =
        `apiVersion: sluice.dev/v1alpha1\nkind: Process\nmetadata:\n  name: ${p}\nspec:\n  command: /bin/true\n  artifact: { path: /builds/${p}-0, sha256: "${sha(0)}" }\n`;
    }
  }
  writeConfigRepo(join(dir, 'config'), files, 'Start');
  return join(dir, 'config');
}

async function service(
  spec: { path?: string; url?: string },
  dataDir: string,
): Promise<{ svc: PromotionService; store: Store; source: Source }> {
  const source = await Source.open(spec, { dataDir });
  const store = openStore(dataDir);
  closers.push(
    () => source.close(),
    () => store.close(),
  );
  return { svc: new PromotionService({ source, store }), store, source };
}

/** Pretends dev synced `artifacts` healthily, as the controller records it. */
async function devSynced(store: Store, revision: string, artifacts: string[]): Promise<void> {
  const s = await store.startSync({
    project: 'conc',
    app: 'web',
    env: 'dev',
    revision,
    trigger: 'revision',
    reason: 'test',
    dryRun: false,
    startedAt: new Date().toISOString(),
  });
  await store.finishSync(s.id, { result: 'Succeeded', health: 'Healthy', timings: {} });
  await store.ledger.recordApplied({
    syncId: s.id,
    project: 'conc',
    app: 'web',
    env: 'dev',
    revision,
    artifacts: artifacts.map(parseArtifactArg),
  });
}

function sluiceCommits(repo: string): { env: string; artifacts: string }[] {
  const out = execFileSync(
    'git',
    ['-C', repo, 'log', '--format=%(trailers:key=Sluice-Env,valueonly)|%(trailers:key=Sluice-Artifacts,valueonly)%x00'],
    { encoding: 'utf8' },
  );
  return out
    .split('\0')
    .map((l) => l.trim())
    .filter((l) => l.includes('|') && !l.startsWith('|'))
    .map((l) => {
      const [env, artifacts] = l.split('|');
      return { env: env!.trim(), artifacts: artifacts!.trim() };
    });
}

async function storm(svc: PromotionService, store: Store, version: number): Promise<string[]> {
  const arg = (p: string) => `${p}=/builds/${p}-${version}@sha256:${sha(version)}`;
  const head = (await svc.o.source.fetch()).revision;
  // qa gets what dev last synced: a promotion racing the set-images into dev.
  await devSynced(
    store,
    head,
    PROCESSES.map((p) => `${p}=/builds/${p}-${version + 100}@sha256:${sha(version + 100)}`),
  );
  const ops = [
    ...PROCESSES.map((p) =>
      svc.setImage({ app: 'web', env: 'dev', actor: `ci-${p}`, artifacts: [parseArtifactArg(arg(p))] }),
    ),
    // The same change twice at once: applied once, the second finds nothing to do.
    svc.setImage({ app: 'web', env: 'dev', actor: 'ci-dup', artifacts: [parseArtifactArg(arg('a'))] }),
    promote(svc, { app: 'web', env: 'qa', actor: 'ci' }),
  ];
  const results = await Promise.all(ops);
  expect(results.filter((r) => r.mode === 'committed')).toHaveLength(PROCESSES.length + 1);
  expect(results.filter((r) => r.mode === 'unchanged')).toHaveLength(1);
  return PROCESSES.map(arg);
}

describe('concurrent changes to one environment', () => {
  it('a local repository: serialized per environment, every change exactly once', async () => {
    const repo = configRepo();
    const { svc, store } = await service({ path: repo }, join(repo, '..', 'data'));
    const wanted = await storm(svc, store, 1);
    const commits = sluiceCommits(repo);
    expect(commits).toHaveLength(PROCESSES.length + 1);
    for (const a of wanted) expect(commits.filter((c) => c.env === 'dev' && c.artifacts === a)).toHaveLength(1);
    expect(commits.filter((c) => c.env === 'qa')).toHaveLength(1);
    for (const p of PROCESSES) {
      expect(git(repo, 'show', `HEAD:apps/web/overlays/dev/${p}.yaml`)).toContain(`/builds/${p}-1`);
      expect(git(repo, 'show', `HEAD:apps/web/overlays/qa/${p}.yaml`)).toContain(`/builds/${p}-101`);
    }
    expect((await store.ledger.listChanges({ env: 'dev' })).length).toBe(PROCESSES.length);
  }, 60_000);

  it('a file:// remote that moves meanwhile: rejected pushes are rebuilt on the new head', async () => {
    const work = configRepo();
    const bare = `${work}.git`;
    execFileSync('git', ['clone', '-q', '--bare', work, bare]);
    const other = `${work}-other`;
    execFileSync('git', ['clone', '-q', bare, other]);
    dirs.push(bare, other);
    const { svc, store, source } = await service({ url: `file://${bare}` }, join(work, '..', 'data-remote'));
    // Someone else keeps pushing unrelated commits while the storm runs.
    let stop = false;
    let pushed = 0;
    const pushNote = () => {
      writeFileSync(join(other, 'NOTES.md'), `note ${pushed}\n`);
      git(other, 'add', 'NOTES.md');
      git(other, 'commit', '-qm', `note ${pushed}`);
      for (let i = 0; ; i++) {
        try {
          git(other, 'push', '-q', 'origin', 'HEAD');
          break;
        } catch (e) {
          if (i > 20) throw e;
          git(other, 'pull', '-q', '--rebase', 'origin', 'main');
        }
      }
      pushed++;
    };
    // The first pushes of Sluice always lose the race: someone pushed just before.
    const push = source.push.bind(source);
    let raced = 0;
    source.push = (o) => {
      if (raced++ < 3) pushNote();
      return push(o);
    };
    const pusher = (async () => {
      while (!stop) {
        pushNote();
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    let wanted: string[];
    try {
      wanted = await storm(svc, store, 2);
    } finally {
      stop = true;
      await pusher;
    }
    const commits = sluiceCommits(bare);
    expect(commits).toHaveLength(PROCESSES.length + 1);
    for (const a of wanted) expect(commits.filter((c) => c.artifacts === a)).toHaveLength(1);
    expect(raced).toBeGreaterThan(3);
    expect(pushed).toBeGreaterThan(3);
    const notes = execFileSync('git', ['-C', bare, 'log', '--format=%s'], { encoding: 'utf8' })
      .split('\n')
      .filter((s) => s.startsWith('note'));
    expect(notes).toHaveLength(pushed);
  }, 90_000);
});
