import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

// `sluice kustomize build` as people run it: a real CLI process from a working directory of
// their choosing, against real `kustomize build` in the same place. The conformance script
// puts kustomize on PATH; run alone, it is looked for there and in Go's bin directory.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kustomizeBinary(): string {
  for (const candidate of ['kustomize', join(process.env.HOME ?? '', 'go/bin/kustomize')]) {
    const r = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  throw new Error('kustomize is not installed: run .ci/suites/kustomize-conformance.sh');
}

function run(cmd: string, args: string[], cwd: string): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const TSX = join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const CLI = join(REPO_ROOT, 'src/cli/run.ts');
const sluice = (args: string[], cwd: string) =>
  run(process.execPath, ['--import', TSX, CLI, 'kustomize', 'build', ...args], cwd);

let kustomize: string;
let root: string;

function write(rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

beforeAll(() => {
  kustomize = kustomizeBinary();
  root = mkdtempSync(join(tmpdir(), 'sluice-kustomize-cli-'));
  write(
    'apps/web/base/kustomization.yaml',
    'resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: web\n  envs:\n  - web.env\n',
  );
  write(
    'apps/web/base/deployment.yaml',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        envFrom:\n        - configMapRef:\n            name: web\n',
  );
  write('apps/web/base/web.env', 'MODE=base\n');
  write(
    'apps/web/overlays/prod/kustomization.yaml',
    'resources:\n- ../../base\nnamePrefix: prod-\npatches:\n- path: replicas.yaml\n',
  );
  write(
    'apps/web/overlays/prod/replicas.yaml',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n',
  );
  // Reads a patch from beside its directory: refused by LoadRestrictionsRootOnly only.
  write(
    'apps/web/overlays/shared-patch/kustomization.yaml',
    'resources:\n- ../../base\npatches:\n- path: ../prod/replicas.yaml\n',
  );
  write('apps/web/notes.txt', 'not a kustomization\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sluice kustomize build, as a command', () => {
  const prod = () => join(root, 'apps/web/overlays/prod');

  it.each([
    ['`.` from the overlay', () => ({ cwd: prod(), args: ['.'] })],
    ['no argument from the overlay', () => ({ cwd: prod(), args: [] as string[] })],
    ['an absolute path from elsewhere', () => ({ cwd: tmpdir(), args: [prod()] })],
    ['a relative path from the repository root', () => ({ cwd: root, args: ['apps/web/overlays/prod'] })],
    ['a relative path from a sibling', () => ({ cwd: join(root, 'apps/web/base'), args: ['../overlays/prod'] })],
  ])('prints what kustomize prints for %s', (_name, where) => {
    const { cwd, args } = where();
    const want = run(kustomize, ['build', ...args], cwd);
    expect(want.code, want.stderr).toBe(0);
    const got = sluice(args, cwd);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(want.stdout);
  });

  it('applies LoadRestrictionsRootOnly by default and on request, and lifts it with LoadRestrictionsNone', () => {
    const cwd = join(root, 'apps/web/overlays/shared-patch');
    for (const args of [['.'], ['.', '--load-restrictor', 'LoadRestrictionsRootOnly']]) {
      expect(run(kustomize, ['build', ...args], cwd).code).not.toBe(0);
      const got = sluice(args, cwd);
      expect(got.code).toBe(1);
      expect(got.stdout).toBe('');
      expect(got.stderr).toContain(`security; file '${join(root, 'apps/web/overlays/prod/replicas.yaml')}'`);
      expect(got.stderr).toContain(`is not in or below '${cwd}'`);
    }
    for (const args of [
      ['--load-restrictor', 'LoadRestrictionsNone', '.'],
      ['--load-restrictor=LoadRestrictionsNone'],
    ]) {
      const want = run(kustomize, ['build', ...args], cwd);
      expect(want.code, want.stderr).toBe(0);
      const got = sluice(args, cwd);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toBe(want.stdout);
    }
  });

  it('refuses an unknown load restrictor as a usage error', () => {
    const got = sluice(['.', '--load-restrictor', 'Sometimes'], prod());
    expect(got.code).toBe(2);
    expect(got.stderr).toContain('--load-restrictor');
  });

  it('words errors for what they name', () => {
    const missing = sluice(['apps/web/overlays/staging'], root);
    expect(run(kustomize, ['build', 'apps/web/overlays/staging'], root).code).not.toBe(0);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Error: must build at directory: 'apps/web/overlays/staging': no such directory\n");

    const file = sluice(['apps/web/notes.txt'], root);
    expect(file.stderr).toBe("Error: must build at directory: 'apps/web/notes.txt': file is not directory\n");

    const noKustomization = sluice(['.'], join(root, 'apps/web'));
    const dir = join(root, 'apps/web');
    expect(noKustomization.stderr).toContain(
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
    );
    expect(noKustomization.stderr).not.toMatch(new RegExp(`${dir}: .*${dir}: `));
  });

  it('does not repeat the file in an error and names resources as kustomize does', () => {
    const dir = join(root, 'errors');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- a.yaml\n- b.yaml\n');
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n';
    writeFileSync(join(dir, 'a.yaml'), cm);
    writeFileSync(join(dir, 'b.yaml'), cm);
    const want = run(kustomize, ['build', '.'], dir);
    expect(want.stderr).toContain('ConfigMap.v1.[noGrp]/same.[noNs]');
    const got = sluice(['.'], dir);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('ConfigMap.v1.[noGrp]/same.[noNs]');

    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: a.yaml\n');
    const bad = sluice(['.'], dir);
    expect(bad.code).toBe(1);
    const file = join(dir, 'kustomization.yaml');
    expect(bad.stderr.split(file).length - 1, bad.stderr).toBe(1);
  });

  it('loads only the kustomize engine, not the server, store or Kubernetes client', () => {
    const hook = join(root, 'record-loads.mjs');
    const log = join(root, 'loaded.txt');
    writeFileSync(
      hook,
      [
        "import { register } from 'node:module';",
        "import { appendFileSync } from 'node:fs';",
        `const log = ${JSON.stringify(log)};`,
        "register('data:text/javascript,' + encodeURIComponent(`",
        "  import { appendFileSync } from 'node:fs';",
        '  export async function resolve(s, c, next) { const r = await next(s, c);',
        `    appendFileSync(${JSON.stringify(log)}, r.url + '\\\\n'); return r; }`,
        '`));',
        'void appendFileSync; void log;',
      ].join('\n'),
    );
    writeFileSync(log, '');
    execFileSync(process.execPath, ['--import', hook, '--import', TSX, CLI, 'kustomize', 'build', '.'], {
      cwd: prod(),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const loaded = readFileSync(log, 'utf8');
    expect(loaded).toContain('/src/render/kustomize/');
    for (const heavy of ['@kubernetes/client-node', 'fastify', 'better-sqlite3', 'pino', '/src/store/', '/src/server/'])
      expect(loaded, heavy).not.toContain(heavy);
  });
});
