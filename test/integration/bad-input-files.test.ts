import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../src/cli/commands/validate.js';
import { Controller, gitRevisionSource } from '../../src/reconcile/index.js';
import { MemoryTarget, processYaml, quietLog, tempStore } from '../../src/reconcile/test-support.js';
import { Source } from '../../src/source/index.js';
import { eventually, spawnSluice, type SluiceProcess } from '../support/sluice.js';

/**
 * Bad input in the files of a revision — symbolic links, sizes past spec.limits, bytes that
 * are not UTF-8 text — through `sluice validate` and through the controller reading the same
 * commit from Git. Each case must fail with its code and the file (and line, for encodings),
 * and the controller must apply nothing: what ran before keeps running.
 */

type Spec = string | Uint8Array | { symlink: string };
type Tree = Record<string, Spec>;

const KiB = 1024;

function sluiceYaml(limits = ''): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { local: { provider: process } }
  environments:
    - { name: dev, target: local }
  apps:
    - { name: web, path: apps/web }
${limits ? `  limits: ${limits}\n` : ''}`;
}

const GOOD: Tree = {
  'sluice.yaml': sluiceYaml(),
  'apps/web/base/web.yaml': processYaml('web'),
};

/** `size` bytes of YAML comments: a valid manifest file, only large. */
function padding(size: number): string {
  const line = `# ${'x'.repeat(77)}\n`;
  return line.repeat(Math.ceil(size / line.length)).slice(0, size - 1) + '\n';
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const kustomizedDev = {
  'apps/web/base/kustomization.yaml': 'resources:\n- web.yaml\n',
  'apps/web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\n',
};

/** A chain of directories each holding two links to the next: no loop, but 2^n paths. */
function fanOut(levels: number): Tree {
  const t: Tree = { 'shared/d0/.keep': '' };
  for (let i = 0; i < levels; i++) {
    t[`shared/d${i}/a`] = { symlink: `../d${i + 1}` };
    t[`shared/d${i}/b`] = { symlink: `../d${i + 1}` };
    t[`shared/d${i + 1}/x.txt`] = 'not a manifest\n';
  }
  t['apps/web/base/fan'] = { symlink: '../../../shared/d0' };
  return t;
}

interface Case {
  name: string;
  files: Tree;
  code: string;
  file: string | RegExp;
  line?: number;
  message?: RegExp;
}

const cases: Case[] = [
  // Symbolic links
  {
    name: 'a manifest link that leaves the repository',
    files: { 'apps/web/base/outside.yaml': { symlink: '../../../../etc/hostname' } },
    code: 'PATH_ESCAPE',
    file: 'apps/web/base/outside.yaml',
    message: /points to \.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname, outside the repository/,
  },
  {
    name: 'an absolute link',
    files: { 'apps/web/base/passwd.yaml': { symlink: '/etc/passwd' } },
    code: 'PATH_ESCAPE',
    file: 'apps/web/base/passwd.yaml',
    message: /points to \/etc\/passwd/,
  },
  {
    name: 'a directory link that leaves the repository',
    files: { 'apps/web/base/ext': { symlink: '../../../..' } },
    code: 'PATH_ESCAPE',
    file: 'apps/web/base/ext',
  },
  {
    name: 'a link that escapes through another link',
    files: {
      'apps/web/base/hop.yaml': { symlink: 'next.yaml' },
      'apps/web/base/next.yaml': { symlink: '../../../../etc/hostname' },
    },
    code: 'PATH_ESCAPE',
    file: 'apps/web/base/next.yaml',
  },
  {
    name: 'two links pointing at each other',
    files: { 'apps/web/base/a.yaml': { symlink: 'b.yaml' }, 'apps/web/base/b.yaml': { symlink: 'a.yaml' } },
    code: 'SYMLINK_LOOP',
    file: /^apps\/web\/base\/[ab]\.yaml$/,
    message: /points to [ab]\.yaml, which loops/,
  },
  {
    name: 'a link to itself',
    files: { 'apps/web/base/self.yaml': { symlink: 'self.yaml' } },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base/self.yaml',
  },
  {
    name: 'a directory link to its parent (the walk that used to spin forever)',
    files: { 'apps/web/base/up': { symlink: '..' } },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base/up',
    message: /points to \.\. \(apps\/web\)/,
  },
  {
    name: 'a directory link to its own directory',
    files: { 'apps/web/base/here': { symlink: '.' } },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base/here',
  },
  {
    name: 'a directory link to the repository root',
    files: { 'apps/web/base/root': { symlink: '../../..' } },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base/root',
  },
  {
    name: 'a loop two directories apart',
    files: {
      'apps/web/base/sub/back': { symlink: '../../base' },
      'apps/web/base/sub/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n',
    },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base/sub/back',
  },
  {
    name: 'an overlay directory that is a link out of the repository',
    files: { 'apps/web/overlays/dev': { symlink: '../../../..' } },
    code: 'PATH_ESCAPE',
    file: 'apps/web/overlays/dev',
  },
  {
    name: 'an overlay directory that is a link to nothing',
    files: { 'apps/web/overlays/dev': { symlink: '../gone' } },
    code: 'SYMLINK_BROKEN',
    file: 'apps/web/overlays/dev',
  },
  {
    name: 'a base directory that is a link to itself',
    files: { 'apps/web/base': { symlink: 'base' } },
    code: 'SYMLINK_LOOP',
    file: 'apps/web/base',
  },
  {
    name: 'a manifest link to nothing',
    files: { 'apps/web/base/gone.yaml': { symlink: 'missing.yaml' } },
    code: 'SYMLINK_BROKEN',
    file: 'apps/web/base/gone.yaml',
    message: /points to missing\.yaml, which does not exist/,
  },
  {
    name: 'a kustomize resource that is a link out of the repository',
    files: {
      ...kustomizedDev,
      'apps/web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\n- extra.yaml\n',
      'apps/web/overlays/dev/extra.yaml': { symlink: '../../../../../etc/hostname' },
    },
    code: 'PATH_ESCAPE',
    file: 'apps/web/overlays/dev/extra.yaml',
  },
  {
    name: 'links that fan out without looping, past the file count',
    files: { ...fanOut(12), 'sluice.yaml': sluiceYaml('{ maxFiles: 300 }') },
    code: 'RENDER_TOO_MANY_FILES',
    file: /^apps\/web\/base\/fan\//,
    message: /more than 300 files/,
  },
  // Limits
  {
    name: 'a manifest over the default 8 MiB',
    files: { 'apps/web/base/huge.yaml': padding(9 * 1024 * KiB) },
    code: 'FILE_TOO_LARGE',
    file: 'apps/web/base/huge.yaml',
    message: /is 9 MiB, more than the 8 MiB/,
  },
  {
    name: 'a manifest over a configured maxFileSize',
    files: { 'sluice.yaml': sluiceYaml('{ maxFileSize: 2Ki }'), 'apps/web/base/big.yaml': padding(3 * KiB) },
    code: 'FILE_TOO_LARGE',
    file: 'apps/web/base/big.yaml',
    message: /is 3 KiB, more than the 2 KiB/,
  },
  {
    name: 'a render over a configured maxRenderSize',
    files: {
      'sluice.yaml': sluiceYaml('{ maxRenderSize: 4Ki }'),
      'apps/web/base/c1.yaml': padding(2 * KiB),
      'apps/web/base/c2.yaml': padding(2 * KiB),
      'apps/web/base/c3.yaml': padding(2 * KiB),
    },
    code: 'RENDER_TOO_LARGE',
    file: /^apps\/web\/base\/c[23]\.yaml$/,
    message: /reads more than 4 KiB/,
  },
  {
    name: 'a kustomize patch over a configured maxFileSize',
    files: {
      'sluice.yaml': sluiceYaml('{ maxFileSize: 2Ki }'),
      ...kustomizedDev,
      'apps/web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\npatches:\n- path: big.yaml\n',
      'apps/web/overlays/dev/big.yaml': padding(3 * KiB),
    },
    code: 'FILE_TOO_LARGE',
    file: 'apps/web/overlays/dev/big.yaml',
  },
  {
    name: 'directories deeper than maxDepth',
    files: {
      'sluice.yaml': sluiceYaml('{ maxDepth: 3 }'),
      'apps/web/base/a/b/c/d/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n',
    },
    code: 'WALK_TOO_DEEP',
    file: 'apps/web/base/a/b/c/d',
    message: /deeper than the 3/,
  },
  {
    name: 'more files than maxFiles',
    files: {
      'sluice.yaml': sluiceYaml('{ maxFiles: 5 }'),
      ...Object.fromEntries(
        [1, 2, 3, 4, 5, 6].map((i) => [
          `apps/web/base/cm${i}.yaml`,
          `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i} }\n`,
        ]),
      ),
    },
    code: 'RENDER_TOO_MANY_FILES',
    file: /^apps\/web\/base\/cm\d\.yaml$/,
    message: /more than 5 files/,
  },
  // Encoding
  {
    name: 'a Latin-1 byte in a value',
    files: {
      'apps/web/base/web.yaml': bytes(
        'apiVersion: sluice.dev/v1alpha1\nkind: Process\nmetadata:\n  name: caf',
        [0xe9],
        '\n',
      ),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/base/web.yaml',
    line: 4,
    message: /not valid UTF-8 at byte 67 \(line 4, column 12\)/,
  },
  {
    name: 'a NUL byte',
    files: { 'apps/web/base/web.yaml': bytes(processYaml('web').replace('/bin/true', '/bin/tr'), [0], 'ue\n') },
    code: 'NUL_BYTE',
    file: 'apps/web/base/web.yaml',
    line: 8,
    message: /NUL byte at byte \d+ \(line 8/,
  },
  {
    name: 'a file saved as UTF-16',
    files: {
      'apps/web/base/web.yaml': bytes([0xff, 0xfe], Buffer.from(processYaml('web'), 'utf16le').toString('latin1')),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/base/web.yaml',
    line: 1,
    message: /at byte 0 /,
  },
  {
    name: 'an overlong encoding',
    files: {
      'apps/web/base/cm.yaml': bytes(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: "',
        [0xc0, 0xaf],
        '" }\n',
      ),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/base/cm.yaml',
    line: 4,
  },
  {
    name: 'an encoded surrogate',
    files: {
      'apps/web/base/cm.yaml': bytes(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: "',
        [0xed, 0xa0, 0x80],
        '" }\n',
      ),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/base/cm.yaml',
    line: 4,
  },
  {
    name: 'a truncated multi-byte character at the end',
    files: {
      'apps/web/base/cm.yaml': bytes('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n# ', [0xe2, 0x82]),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/base/cm.yaml',
    line: 4,
  },
  {
    name: 'a NUL written as an escape in an argument',
    files: { 'apps/web/base/web.yaml': processYaml('web').replace('["v1"]', '["--token=a\\0b"]') },
    code: 'NUL_IN_VALUE',
    file: 'apps/web/base/web.yaml',
    line: 7,
    message: /spec\.args\[0\] holds a NUL character/,
  },
  {
    name: 'invalid UTF-8 in a kustomize patch',
    files: {
      ...kustomizedDev,
      'apps/web/overlays/dev/kustomization.yaml': 'resources:\n- ../../base\npatches:\n- path: patch.yaml\n',
      'apps/web/overlays/dev/patch.yaml': bytes(
        'apiVersion: sluice.dev/v1alpha1\nkind: Process\nmetadata: { name: web }\nspec:\n  args: ["',
        [0xff],
        '"]\n',
      ),
    },
    code: 'INVALID_UTF8',
    file: 'apps/web/overlays/dev/patch.yaml',
    line: 5,
  },
  {
    name: 'a NUL byte in a kustomization',
    files: {
      ...kustomizedDev,
      'apps/web/overlays/dev/kustomization.yaml': bytes('resources:\n- ../../base', [0], '\n'),
    },
    code: 'NUL_BYTE',
    file: 'apps/web/overlays/dev/kustomization.yaml',
    line: 2,
  },
];

let work: string;
let repo: string;

function git(...args: string[]): string {
  return execFileSync(
    'git',
    ['-C', repo, '-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  ).trim();
}

/** Makes the work tree exactly `tree` and commits it with git itself; links become mode 120000 entries. */
function commitTree(tree: Tree, message: string): string {
  git('rm', '-rqf', '--ignore-unmatch', '.');
  for (const [path, spec] of Object.entries(tree)) {
    const abs = join(repo, path);
    mkdirSync(dirname(abs), { recursive: true });
    rmSync(abs, { force: true, recursive: true });
    if (typeof spec === 'object' && 'symlink' in spec) symlinkSync(spec.symlink, abs);
    else writeFileSync(abs, spec);
  }
  git('add', '-A', '.');
  git('commit', '-qm', message);
  return git('rev-parse', 'HEAD');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sluice-bad-files-'));
  repo = join(work, 'config');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  commitTree(GOOD, 'A good start');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `got.code` is checked where the output carries one (the controller's status, not validate's report). */
function expectCase(c: Case, got: { code?: string; file?: string; line?: number; message?: string }): void {
  if ('code' in got) expect(got.code, `${c.name}: ${got.message}`).toBe(c.code);
  if (typeof c.file === 'string') expect(got.file).toBe(c.file);
  else expect(got.file).toMatch(c.file);
  if (c.line !== undefined) expect(got.line).toBe(c.line);
  if (c.message) expect(got.message).toMatch(c.message);
}

describe('bad files in a revision', () => {
  let source: Source;
  let controller: Controller;
  let target: MemoryTarget;
  let store: ReturnType<typeof tempStore>;

  beforeAll(async () => {
    store = tempStore();
    target = new MemoryTarget();
    source = await Source.open({ path: repo }, { dataDir: join(work, 'data') });
    controller = new Controller({
      source: gitRevisionSource(source),
      store: store.store,
      log: quietLog,
      createProvider: () => target,
      random: () => 0.5,
    });
    await controller.start();
    await controller.idle();
  });

  afterAll(async () => {
    await controller.stop();
    await store.store.close();
    store.remove();
  });

  const scope = () => controller.status().apps.find((a) => a.app === 'web' && a.env === 'dev')!;

  /** The scope once the controller has synced `revision` (the repo's watch may take it first). */
  const settled = async (revision: string) => {
    await controller.refresh();
    await controller.idle();
    return eventually(() => {
      const s = scope();
      return s.lastSync?.revision === revision && s.sync !== 'Syncing' ? s : undefined;
    });
  };

  it('starts from a good revision that runs', () => {
    expect(scope().sync).toBe('Synced');
    expect(target.applies).toBe(1);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.code} naming the file; validate fails; the controller applies nothing`, async () => {
      const live = JSON.stringify([...target.objects.entries()].map(([k, m]) => [k, [...m.entries()]]));
      const applies = target.applies;
      const revision = commitTree({ ...GOOD, ...c.files }, `Bad input: ${c.name}`);

      const result = await runValidate({ dir: repo, identities: { identities: [], searched: [] } });
      expect(result.report.errors, c.name).toBe(1);
      const v = result.report.violations[0]!;
      expect(v.rule).toBe('render');
      expectCase(c, v);

      const s = await settled(revision);
      expect(s.sync).toBe('Stalled');
      expectCase(c, s.error!);
      expect(target.applies).toBe(applies);
      expect(JSON.stringify([...target.objects.entries()].map(([k, m]) => [k, [...m.entries()]]))).toBe(live);

      // The fix is the next commit; the scope syncs again, so the next case starts clean.
      expect((await settled(commitTree(GOOD, 'Fix'))).sync).toBe('Synced');
    });
  }
});

describe('the sluice command on a directory link to its parent', () => {
  let running: SluiceProcess[] = [];
  afterAll(() => running.forEach((p) => p.child.kill('SIGKILL')));

  /** Used to spin at full CPU forever; now each command ends with an error naming the link. */
  for (const [what, args] of [
    ['validate', ['validate']],
    ['render', ['render', 'web', '-e', 'dev', '-r']],
  ] as const) {
    it(`sluice ${what} ends with an error naming the link`, async () => {
      commitTree({ ...GOOD, 'apps/web/base/up': { symlink: '..' } }, 'Link to the parent');
      const p = spawnSluice([...args, repo]);
      running.push(p);
      const code = await p.exited;
      running = running.filter((x) => x !== p);
      expect(code).not.toBe(0);
      expect(p.output()).toContain('apps/web/base/up');
      expect(p.output()).toMatch(/symbolic link apps\/web\/base\/up points to \.\./);
      commitTree(GOOD, 'Fix');
    }, 120_000);
  }
});
