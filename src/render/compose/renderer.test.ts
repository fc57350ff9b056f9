import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../errors/index.js';
import { encryptSopsFile, isFromEncryptedSource, openDecryptingFs } from '../../secrets/index.js';
import { MemoryFs } from '../../vfs/index.js';
import { renderApp } from '../registry.js';
import { interpolateString, InterpolationFailure } from './interpolate.js';
import { renderCompose } from './renderer.js';

const app = { name: 'web', path: 'apps/web' };

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RenderError) return e;
    throw e;
  }
  throw new Error('expected a RenderError');
}

describe('compose renderer', () => {
  it('is picked for an overlay that holds only a .env, and merges it onto base', () => {
    const fs = MemoryFs.fromFiles({
      'apps/web/base/compose.yaml': 'services:\n  web:\n    image: "ghcr.io/acme/web:${TAG:-dev}"\n',
      'apps/web/overlays/prod/.env': 'TAG=1.4\n',
    });
    const out = renderApp(fs, app, 'prod');
    expect(out.renderer).toBe('compose');
    expect(out.resources.map((r) => r.object)).toEqual([
      {
        apiVersion: 'compose.sluice.dev/v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { image: 'ghcr.io/acme/web:1.4' },
      },
    ]);
    expect(renderApp(fs, app, 'dev').resources[0]!.object.spec).toEqual({ image: 'ghcr.io/acme/web:dev' });
  });

  it('keeps x-sluice, merged key by key, and drops other extensions', () => {
    const fs = MemoryFs.fromFiles({
      'apps/web/base/compose.yaml':
        'x-defaults: {}\nservices:\n  web:\n    image: web:1\n    x-other: 1\n    x-sluice:\n      http: {path: /health, port: 8080}\n',
      'apps/web/overlays/prod/compose.yaml': 'services:\n  web:\n    x-sluice:\n      http: {port: 9090}\n',
    });
    const [svc] = renderCompose(fs, 'apps/web/overlays/prod');
    expect(svc!.object.spec).toEqual({ image: 'web:1', 'x-sluice': { http: { path: '/health', port: 9090 } } });
  });

  it('checks x-sluice http checks and names the line of a bad one', () => {
    const err = renderError(() =>
      renderCompose(
        MemoryFs.fromFiles({
          'app/compose.yaml':
            'services:\n  a:\n    image: a\n    x-sluice:\n      http:\n        port: "${PORT:-80}"\n        path: health\n',
        }),
        'app',
      ),
    );
    expect(err).toMatchObject({ code: 'COMPOSE_INVALID', location: { file: 'app/compose.yaml', line: 7 } });
    const [a] = renderCompose(
      MemoryFs.fromFiles({
        'app/compose.yaml':
          'services:\n  a:\n    image: a\n    x-sluice: {http: {port: "${PORT:-80}", path: /health}}\n',
      }),
      'app',
    );
    expect(a!.object.spec).toEqual({ image: 'a', 'x-sluice': { http: { path: '/health', port: 80 } } });
  });

  it('points a service at the file that changes it, and its fields at their lines', () => {
    const fs = MemoryFs.fromFiles({
      'apps/web/base/compose.yaml': 'services:\n  db:\n    image: postgres:16\n  web:\n    image: web:1\n',
      'apps/web/overlays/prod/compose.yaml': '# prod\nservices:\n  web:\n    restart: always\n    image: web:2\n',
    });
    const [db, web] = renderCompose(fs, 'apps/web/overlays/prod');
    expect(db!.origin).toMatchObject({ file: 'apps/web/base/compose.yaml', line: 3 });
    expect(web!.origin).toMatchObject({ file: 'apps/web/overlays/prod/compose.yaml', line: 4 });
    expect(web!.origin!.locate!(['spec', 'image'])).toBe(5);
  });

  it('never reads the process environment for interpolation', () => {
    process.env.SLUICE_COMPOSE_TEST_VAR = 'from-process';
    try {
      const fs = MemoryFs.fromFiles({
        'app/compose.yaml': 'services:\n  a:\n    image: "a:${SLUICE_COMPOSE_TEST_VAR:-from-repo}"\n',
      });
      expect(renderCompose(fs, 'app')[0]!.object.spec).toEqual({ image: 'a:from-repo' });
    } finally {
      delete process.env.SLUICE_COMPOSE_TEST_VAR;
    }
  });

  it('refuses unsupported top-level keys and malformed interpolation with file and line', () => {
    const secrets = renderError(() =>
      renderCompose(
        MemoryFs.fromFiles({ 'app/compose.yaml': 'services:\n  a:\n    image: a\nsecrets:\n  s: {file: s.txt}\n' }),
        'app',
      ),
    );
    expect(secrets).toMatchObject({ code: 'COMPOSE_UNSUPPORTED', location: { file: 'app/compose.yaml', line: 4 } });
    const bad = renderError(() =>
      renderCompose(MemoryFs.fromFiles({ 'app/compose.yaml': 'services:\n  a:\n    image: "a:${TAG"\n' }), 'app'),
    );
    expect(bad).toMatchObject({ code: 'COMPOSE_INTERPOLATION', location: { line: 3 } });
    expect(bad.message).toMatch(/unclosed/);
  });

  it('names the .env line of a bad variable', () => {
    const err = renderError(() =>
      renderCompose(
        MemoryFs.fromFiles({ 'app/compose.yaml': 'services:\n  a:\n    image: a\n', 'app/.env': 'A=1\nnot a var\n' }),
        'app',
      ),
    );
    expect(err).toMatchObject({ code: 'COMPOSE_DOTENV', location: { file: 'app/.env', line: 2 } });
  });

  it('decrypts a SOPS env_file in memory and marks the service as holding secrets', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const files = {
      'apps/web/base/compose.yaml': 'services:\n  web:\n    image: web:1\n  db:\n    image: postgres:16\n',
      'apps/web/overlays/prod/compose.yaml': 'services:\n  web:\n    env_file: ../overlays/prod/secrets.env\n',
      'apps/web/overlays/prod/secrets.env': await encryptSopsFile(
        'DB_PASSWORD=s3cr3t-value\n',
        'apps/web/overlays/prod/secrets.env',
        { recipients: [recipient] },
      ),
    };
    const fs = await openDecryptingFs(MemoryFs.fromFiles(files), {
      identities: { identities: [identity], searched: [] },
    });
    const [db, web] = renderCompose(fs, 'apps/web/overlays/prod');
    expect((web!.object.spec as { environment: unknown }).environment).toEqual({ DB_PASSWORD: 's3cr3t-value' });
    expect(isFromEncryptedSource(web!, fs.encryptedPaths)).toBe(true);
    expect(isFromEncryptedSource(db!, fs.encryptedPaths)).toBe(false);
  });

  it('interpolates a SOPS-encrypted overlay .env', async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const fs = await openDecryptingFs(
      MemoryFs.fromFiles({
        'apps/web/base/compose.yaml': 'services:\n  web:\n    image: web:1\n    environment:\n      TOKEN: ${TOKEN}\n',
        'apps/web/overlays/prod/.env': await encryptSopsFile('TOKEN=t0ken\n', 'apps/web/overlays/prod/.env', {
          recipients: [recipient],
        }),
      }),
      { identities: { identities: [identity], searched: [] } },
    );
    const [web] = renderCompose(fs, 'apps/web/overlays/prod');
    expect((web!.object.spec as { environment: unknown }).environment).toEqual({ TOKEN: 't0ken' });
    expect(isFromEncryptedSource(web!, fs.encryptedPaths)).toBe(true);
  });
});

describe('interpolateString', () => {
  const vars = new Map([
    ['A', 'a'],
    ['E', ''],
  ]);
  it.each([
    ['${A}', 'a'],
    ['$A$A', 'aa'],
    ['${E:-d}', 'd'],
    ['${E-d}', ''],
    ['${U-d}', 'd'],
    ['${A:+x}', 'x'],
    ['${E+x}', 'x'],
    ['${E:+x}', ''],
    ['${U:-${A}-${U:-z}}', 'a-z'],
    ['$$A', '$A'],
    ['5$ and $-', '5$ and $-'],
  ])('%s → %s', (input, want) => {
    expect(interpolateString(input, vars)).toBe(want);
  });
  it('fails a required variable with its message', () => {
    expect(() => interpolateString('${E:?needed here}', vars)).toThrow(InterpolationFailure);
    expect(() => interpolateString('${U?}', vars)).toThrow(/required variable U is missing a value/);
    expect(interpolateString('${E?ok}', vars)).toBe('');
  });
});
