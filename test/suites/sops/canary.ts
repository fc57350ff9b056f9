import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encryptSopsFile } from '../../../src/secrets/index.js';

/**
 * A reusable secret canary: plant unique values in SOPS-encrypted files, run anything that
 * produces output, then check no output contains any of them. Other suites (sync, logs,
 * store, API) import these helpers and add their own outputs.
 */
export function makeCanaries(n = 4): string[] {
  return Array.from({ length: n }, () => `CANARY-${randomBytes(8).toString('hex')}`);
}

/** The labels of outputs that contain a canary (never the canary itself, so reports stay clean). */
export function findCanaries(outputs: Record<string, string>, canaries: string[]): string[] {
  const forms = canaries.flatMap((c) => [c, Buffer.from(c).toString('base64')]);
  return Object.entries(outputs)
    .filter(([, text]) => forms.some((f) => text.includes(f)))
    .map(([label]) => label);
}

/** Captures what `fn` writes to stdout and stderr. */
export async function captureStd<T>(
  fn: () => Promise<T> | T,
): Promise<{ result: T | undefined; error: unknown; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (stdout += chunk.toString()),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += chunk.toString()),
    true
  )) as typeof process.stderr.write;
  try {
    return { result: await fn(), error: undefined, stdout, stderr };
  } catch (error) {
    return { result: undefined, error, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

export interface CanaryRepo {
  dir: string;
  canaries: string[];
  /** Tree-relative paths of the encrypted files. */
  encrypted: string[];
}

function put(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/**
 * A config repo with canaries in: a SOPS-encrypted Secret manifest (plain renderer), a
 * SOPS-encrypted dotenv feeding a Kustomize secretGenerator, and a SOPS-encrypted manifest
 * that decrypts to something the renderer rejects.
 */
export async function plantCanaryRepo(dir: string, recipient: string, canaries = makeCanaries(4)): Promise<CanaryRepo> {
  const [c0, c1, c2, c3] = canaries as [string, string, string, string];
  const enc = (text: string, path: string, regex = true) =>
    encryptSopsFile(text, path, {
      recipients: [recipient],
      ...(regex ? { rules: { encryptedRegex: '^(data|stringData)$' } } : {}),
    });
  put(
    dir,
    'sluice.yaml',
    `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: canary }
spec:
  targets:
    dev: { provider: kubernetes, kubeconfig: /nonexistent/dev/kubeconfig }
    prod: { provider: kubernetes, kubeconfig: /nonexistent/prod/kubeconfig }
  environments:
    - { name: dev, target: dev }
    - { name: prod, target: prod, policy: { requireDigests: true } }
  apps:
    - { name: plain, path: apps/plain }
    - { name: kust, path: apps/kust }
    - { name: broken, path: apps/broken }
`,
  );
  put(
    dir,
    'apps/plain/base/secret.yaml',
    await enc(
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${c0}\n  url: postgres://app:${c1}@db/app\n`,
      'secret.yaml',
    ),
  );
  put(
    dir,
    'apps/plain/base/deploy.yaml',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: nginx }] } } }\n',
  );
  put(
    dir,
    'apps/kust/base/kustomization.yaml',
    'secretGenerator:\n  - name: api\n    envs: [secrets.env]\n  - name: file\n    files: [token.json]\nresources: [cm.yaml]\n',
  );
  put(
    dir,
    'apps/kust/base/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { mode: fast }\n',
  );
  put(dir, 'apps/kust/base/secrets.env', await enc(`API_TOKEN=${c2}\n`, 'secrets.env', false));
  // A file whose whole content goes base64-encoded into a generated Secret, the canary inside it
  // at an offset; and values whose escaped forms differ from the raw value (control characters,
  // ESC, quotes). A NUL is refused before any render (the integration canary checks that refusal).
  const [c4, c5, c6] = [
    `CANARY-${canaryHex()}\u0001${canaryHex()}`,
    `CANARY-${canaryHex()}\t"\\\x1b/é ${canaryHex()}`,
    `CANARY-${canaryHex()}`,
  ];
  put(dir, 'apps/kust/base/token.json', await enc(JSON.stringify({ token: c6 }), 'token.json', false));
  put(
    dir,
    'apps/plain/base/tricky.yaml',
    await enc(
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tricky\nstringData:\n  ctl: ${JSON.stringify(c4)}\n  esc: ${JSON.stringify(c5)}\n`,
      'tricky.yaml',
    ),
  );
  put(
    dir,
    'apps/broken/base/bad.yaml',
    await enc(`apiVersion: v1\nkind: Secret\nmetadata:\n  labels: { a: b }\nstringData:\n  key: ${c3}\n`, 'bad.yaml'),
  );
  return {
    dir,
    canaries: [...canaries, c4, c5, c6],
    encrypted: [
      'apps/plain/base/secret.yaml',
      'apps/plain/base/tricky.yaml',
      'apps/kust/base/secrets.env',
      'apps/kust/base/token.json',
      'apps/broken/base/bad.yaml',
    ],
  };
}

/** A naive line diff, enough to show what a person would see in a `sluice diff`. */
export function lineDiff(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] === right[i]) continue;
    if (left[i] !== undefined) out.push(`- ${left[i]}`);
    if (right[i] !== undefined) out.push(`+ ${right[i]}`);
  }
  return out.join('\n');
}

/**
 * The random hex runs of each canary, and their base64 forms at every byte alignment: any
 * escaped form of a canary (JSON, YAML, URL, `\x00`, base64 of a value it sits in) still holds
 * one of these, so a search for them finds a leak however the value was encoded.
 */
export function canaryTraces(canaries: string[]): string[] {
  const runs = canaries.flatMap((c) => c.match(/[0-9a-f]{16,}/g) ?? []);
  const traces = new Set(runs);
  for (const run of runs) {
    for (let offset = 0; offset < 3; offset++) {
      const b64 = Buffer.concat([Buffer.alloc(offset), Buffer.from(run)]).toString('base64');
      // Only the characters fully determined by the run's own bytes.
      const first = Math.ceil((offset * 8) / 6);
      const last = Math.floor(((offset + run.length) * 8) / 6);
      traces.add(b64.slice(first, last));
      traces.add(b64.slice(first, last).replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...traces];
}

/** The labels of outputs holding any trace of a canary, in any encoding `canaryTraces` covers. */
export function findCanaryTraces(outputs: Record<string, string>, canaries: string[]): string[] {
  const traces = canaryTraces(canaries);
  return Object.entries(outputs)
    .filter(([, text]) => traces.some((t) => text.includes(t)))
    .map(([label]) => label);
}

/** A random hex run long enough to be found only where a canary leaked. */
export function canaryHex(): string {
  return randomBytes(8).toString('hex');
}
