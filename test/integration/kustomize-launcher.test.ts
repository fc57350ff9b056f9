import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runProcess } from '../support/sluice.js';

const LAUNCHER = join(ROOT, 'bin', 'sluice');
const BLOB = join(ROOT, 'dist', 'kustomize.blob');
const run = (args: string[], cwd: string, env: Record<string, string> = {}) => runProcess(LAUNCHER, args, cwd, env);

// `sluice kustomize build` starts from the engine's snapshot when the build made one; the
// snapshot and the ordinary CLI must answer byte for byte alike, errors and exit codes too.
describe('bin/sluice kustomize build', { timeout: 240_000 }, () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'sluice-launcher-'));
    mkdirSync(join(repo, 'base'));
    mkdirSync(join(repo, 'overlays', 'prod'), { recursive: true });
    writeFileSync(join(repo, 'base', 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(
      join(repo, 'base', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  k: v\n',
    );
    writeFileSync(
      join(repo, 'overlays', 'prod', 'kustomization.yaml'),
      'resources:\n- ../../base\nnamePrefix: prod-\ncommonLabels:\n  env: prod\n',
    );
  });

  it('has a snapshot for this Node binary when the CLI is built (CI builds it)', () => {
    if (process.env.CI !== 'true' && !existsSync(BLOB)) return;
    expect(existsSync(BLOB), `${BLOB} missing: npm run build makes it`).toBe(true);
    // bin/sluice takes the snapshot only when it was made by the node it would run.
    const node = statSync(process.execPath);
    expect(readFileSync(`${BLOB}.node`, 'utf8').trim()).toBe(`${node.size} ${Math.floor(node.mtimeMs / 1000)}`);
  });

  // Node 20 reads NODE_EXTRA_CA_CERTS, and builds its whole root store, before running any
  // code; a build opens no TLS connection, so the snapshot's process goes without it. A file
  // that cannot be read shows whether it was read: Node warns about it at start.
  it.skipIf(!existsSync(BLOB))('starts a build without reading NODE_EXTRA_CA_CERTS', async () => {
    const r = await run(['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), {
      NODE_EXTRA_CA_CERTS: join(repo, 'no-such-bundle.pem'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name: prod-web');
  });

  for (const [name, env] of [
    ['from the snapshot', {}],
    ['from the ordinary CLI', { SLUICE_NO_SNAPSHOT: '1' }],
  ] as const) {
    describe(name, () => {
      it.skipIf(!existsSync(join(ROOT, 'dist', 'cli', 'run.js')))(
        'builds an overlay from its own directory',
        async () => {
          const r = await run(['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), env);
          expect(r.stderr).toBe('');
          expect(r.code).toBe(0);
          expect(r.stdout).toBe(
            'apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  labels:\n    env: prod\n  name: prod-web\n',
          );
        },
      );

      it.skipIf(!existsSync(join(ROOT, 'dist', 'cli', 'run.js')))(
        'writes -o relative to the working directory',
        async () => {
          const r = await run(['kustomize', 'build', 'overlays/prod', '-o', 'out.yaml'], repo, env);
          expect(r.code).toBe(0);
          expect(readFileSync(join(repo, 'out.yaml'), 'utf8')).toContain('name: prod-web');
        },
      );

      it.skipIf(!existsSync(join(ROOT, 'dist', 'cli', 'run.js')))(
        'fails a missing directory with exit 1 and the message',
        async () => {
          const r = await run(['kustomize', 'build', 'nowhere'], repo, env);
          expect(r.code).toBe(1);
          expect(r.stdout).toBe('');
          expect(r.stderr).toBe("Error: must build at directory: 'nowhere': no such directory\n");
        },
      );
    });
  }
});
