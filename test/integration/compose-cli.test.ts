import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { encryptSopsFile } from '../../src/secrets/index.js';
import { runSluice } from '../support/sluice.js';

/** `sluice render` on a Compose app: base + overlay merged, SOPS env values masked, bad files named. */
let repo: string;
let identity: string;
const SECRET = 'compose-canary-7f3a9c';

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'sluice-compose-'));
  identity = await generateIdentity();
  const files: Record<string, string> = {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: compose }
spec:
  targets:
    local: { provider: docker }
  environments:
    - { name: dev, target: local }
    - { name: prod, target: local }
  apps:
    - { name: web, path: apps/web }
    - { name: broken, path: apps/broken }
`,
    'apps/web/base/compose.yaml': `services:
  web:
    image: "ghcr.io/acme/web:\${TAG:-dev}"
    ports: ["8080:80"]
    env_file: ../overlays/prod/secrets.env
`,
    'apps/web/overlays/prod/.env': 'TAG=1.4.0\n',
    'apps/web/overlays/prod/compose.yaml': 'services:\n  web:\n    ports: ["8443:443"]\n',
    'apps/web/overlays/prod/secrets.env': await encryptSopsFile(
      `DB_PASSWORD=${SECRET}\n`,
      'apps/web/overlays/prod/secrets.env',
      { recipients: [await identityToRecipient(identity)] },
    ),
    'apps/broken/base/compose.yaml': 'services:\n  web:\n    image: web:1\n    privileged: true\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('sluice render on a Compose app', { timeout: 180_000 }, () => {
  it('prints one resource per service, merged and interpolated, with the decrypted values masked', async () => {
    const r = await runSluice(['render', 'web', '--env', 'prod', '--repo', repo], { SOPS_AGE_KEY: identity });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    const [web] = parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, unknown>);
    expect(web).toMatchObject({
      apiVersion: 'compose.sluice.dev/v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: {
        image: 'ghcr.io/acme/web:1.4.0',
        ports: [
          { target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' },
          { target: 443, published: '8443', protocol: 'tcp', mode: 'ingress' },
        ],
        environment: { DB_PASSWORD: expect.any(String) },
      },
    });
    const shown = await runSluice(['render', 'web', '--env', 'prod', '--repo', repo, '--show-secrets'], {
      SOPS_AGE_KEY: identity,
    });
    expect(shown.stdout).toContain(`DB_PASSWORD: ${SECRET}`);
  }, 120_000);

  it('names the file and line of a key Sluice does not support, and exits non-zero', async () => {
    const r = await runSluice(['render', 'broken', '--env', 'dev', '--repo', repo], { SOPS_AGE_KEY: identity });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('apps/broken/base/compose.yaml:4');
    expect(r.stderr).toContain('services.web.privileged is not supported');
  }, 120_000);
});
