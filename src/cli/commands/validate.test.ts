import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { encryptSopsFile } from '../../secrets/index.js';
import { main } from '../main.js';
import { formatResult, runValidate } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);

write(
  'sluice.yaml',
  `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: shop }
spec:
  targets: { laptop: { provider: kubernetes } }
  environments:
    - { name: dev, target: laptop }
    - { name: prod, target: laptop, policy: { requireDigests: true } }
  apps:
    - { name: web, path: apps/web }
`,
);
write(
  'apps/web/base/deploy.yaml',
  `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: { requests: { cpu: 10m, memory: 8Mi }, limits: { memory: 16Mi } }
`,
);
write('apps/web/overlays/dev/deploy.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: b }\n');
write(
  'apps/web/overlays/prod/deploy.yaml',
  'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: a, image: "nginx:1", resources: { requests: { cpu: 1m }, limits: { cpu: 1m } } }] }\n',
);
write(
  'apps/web/overlays/prod/secret.yaml',
  await encryptSopsFile(
    'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\nstringData: { password: validate-canary-77 }\n',
    'secret.yaml',
    {
      recipients: [recipient],
      rules: { encryptedRegex: '^(data|stringData)$' },
    },
  ),
);

describe('runValidate', () => {
  it('renders each app × environment, decrypts SOPS secrets and fails on policy errors', async () => {
    const result = await runValidate({ dir, identities: { identities: [identity], searched: [] } });
    expect(result.targets.map((t) => `${t.app}/${t.env}:${t.resources}`)).toEqual(['web/dev:1', 'web/prod:2']);
    expect(result.report.errors).toBe(1);
    expect(result.report.violations.find((v) => v.severity === 'error')).toMatchObject({
      rule: 'image-digest-required',
      env: 'prod',
      file: 'apps/web/overlays/prod/deploy.yaml',
      line: 4, // the image field, not the start of the document
    });
    for (const f of ['text', 'json', 'junit', 'sarif'] as const)
      expect(formatResult(result, f)).not.toContain('validate-canary-77');
  });

  it('without a key, finds encrypted files and does not call their Secrets plaintext', async () => {
    const result = await runValidate({ dir, env: 'prod', identities: { identities: [], searched: [] } });
    expect(result.report.violations.some((v) => v.rule === 'secret-plaintext')).toBe(false);
    expect(result.notes[0]).toMatch(/not decrypted/);
  });

  it('a wrong key is one clear error', async () => {
    const other = await generateIdentity();
    const result = await runValidate({ dir, identities: { identities: [other], searched: [] } });
    expect(result.report.violations).toHaveLength(1);
    expect(result.report.violations[0]).toMatchObject({
      rule: 'secrets-decrypt',
      file: 'apps/web/overlays/prod/secret.yaml',
    });
  });

  it('a missing directory is "not found" (exit 4), not invalid input', async () => {
    await expect(runValidate({ dir: join(dir, 'no-such-repo') })).rejects.toMatchObject({ code: 'REPO_NOT_FOUND' });
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(await main(['validate', join(dir, 'no-such-repo')])).toBe(4);
    } finally {
      process.stderr.write = stderr;
    }
  });

  it('a tampered secret fails its own app only, and an app without secrets needs no key', async () => {
    const repo = join(dir, 'isolation');
    const put = (path: string, text: string) => {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    put(
      'sluice.yaml',
      'apiVersion: sluice.dev/v1alpha1\nkind: Project\nmetadata: { name: shop }\nspec:\n  targets: { laptop: { provider: kubernetes } }\n  environments: [{ name: dev, target: laptop }]\n  apps:\n    - { name: web, path: apps/web }\n    - { name: pay, path: apps/pay }\n',
    );
    put('apps/web/base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { a: b }\n');
    const secret = await encryptSopsFile(
      'apiVersion: v1\nkind: Secret\nmetadata: { name: pay }\nstringData: { token: pay-canary-5 }\n',
      'secret.yaml',
      { recipients: [recipient], rules: { encryptedRegex: '^(data|stringData)$' } },
    );
    put(
      'apps/pay/base/secret.yaml',
      secret.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A')),
    );
    const result = await runValidate({ dir: repo, identities: { identities: [identity], searched: [] } });
    const byApp = Object.fromEntries(result.targets.map((t) => [t.app, t]));
    expect(byApp['web']).toMatchObject({ resources: 1, report: { errors: 0 } });
    expect(byApp['pay']!.report.violations).toEqual([
      expect.objectContaining({ rule: 'secrets-decrypt', file: 'apps/pay/base/secret.yaml', app: 'pay' }),
    ]);
    // Without any key the plain app still validates: only the app that reads the file needs one.
    const noKey = await runValidate({ dir: repo, identities: { identities: [], searched: [] } });
    expect(noKey.targets.find((t) => t.app === 'web')!.report.errors).toBe(0);
  });
});
