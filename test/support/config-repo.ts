// A small config repo (one Process app, dev and a protected prod) pushed to a bare repository
// that tests use as a file:// remote, and versioned builds of a tiny HTTP service as artifacts.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './sluice.js';

export interface ConfigRepo {
  /** file:// URL of the bare repository. */
  url: string;
  bare: string;
  /** `git` against the bare repository. */
  git(...args: string[]): string;
  /** Writes a build of the service answering with `version`; returns the set-image argument. */
  build(version: string): string;
}

const ID = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];

function run(cwd: string, args: string[]): string {
  return execFileSync('git', [...ID, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

function script(version: string): string {
  return `import { createServer } from 'node:http';
createServer((req, res) => res.end(JSON.stringify({ version: ${JSON.stringify(version)} }))).listen(Number(process.env.PORT), '127.0.0.1');
`;
}

export function createConfigRepo(
  dir: string,
  o: { basePort: number; repository?: string; prodRules?: string },
): ConfigRepo {
  const builds = join(dir, 'builds');
  mkdirSync(builds, { recursive: true });
  const build = (version: string) => {
    const text = script(version);
    const path = join(builds, `hello-${version}.mjs`);
    writeFileSync(path, text);
    return {
      arg: `hello=${path}:${version}@sha256:${createHash('sha256').update(text).digest('hex')}`,
      path,
      sha256: createHash('sha256').update(text).digest('hex'),
    };
  };
  const first = build('1.0.0');
  const manifest = (port: number) => `apiVersion: sluice.dev/v1alpha1
kind: Process
metadata:
  name: hello
  annotations:
    sluice.dev/artifact-tag: "1.0.0"
spec:
  command: ${JSON.stringify(process.execPath)}
  args: ["--input-type=module", "-e", "await import(process.env.SLUICE_ARTIFACT)"]
  artifact: { path: ${JSON.stringify(first.path)}, sha256: ${first.sha256} }
  replicas: 1
  port: ${port}
  healthCheck:
    http: { path: /healthz }
    intervalSeconds: 1
    timeoutSeconds: 1
    failureThreshold: 3
  terminationGracePeriodSeconds: 2
`;
  const files: Record<string, string> = {
    'sluice.yaml': `apiVersion: sluice.dev/v1alpha1
kind: Project
metadata: { name: hosted }
spec:
  targets:
    local: { provider: process }
  environments:
    - { name: dev, target: local, healthTimeout: 30s }
    - name: prod
      target: local
      healthTimeout: 30s
${o.prodRules ?? '      protected: true\n      promotion: { from: dev, approvals: 1 }\n'}  apps:
    - { name: hello, path: apps/hello }
${o.repository ?? ''}`,
    'apps/hello/base/hello.yaml': manifest(o.basePort),
    'apps/hello/overlays/dev/hello.yaml': manifest(o.basePort + 5),
    'apps/hello/overlays/prod/hello.yaml': manifest(o.basePort + 10),
  };
  const work = join(dir, 'work');
  const bare = join(dir, 'origin.git');
  mkdirSync(work, { recursive: true });
  run(dir, ['init', '-q', '--bare', '-b', 'main', bare]);
  run(dir, ['init', '-q', '-b', 'main', work]);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  run(work, ['add', '-A']);
  run(work, ['commit', '-q', '-m', 'Start the config repo']);
  run(work, ['push', '-q', bare, 'main']);
  return {
    url: `file://${bare}`,
    bare,
    git: (...args) => run(dir, ['--git-dir', bare, ...args]).trim(),
    build: (v) => build(v).arg,
  };
}

/** The CLI without blocking the test process, which may be serving the fake forge the CLI calls. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
