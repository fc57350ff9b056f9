import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StandaloneOutcome } from '../../src/promote/index.js';
import { createConfigRepo, runCli, type ConfigRepo } from '../support/config-repo.js';
import { startFakeGithub, type FakeGithub } from '../support/hosted-fakes/github.js';

/**
 * `sluice set-image --repo` as an app repo's CI job runs it: no Sluice server, a config repo
 * behind a file:// remote, and a fake GitHub where the environment needs a review.
 */
let dir: string;
let plain: ConfigRepo;
let hosted: ConfigRepo;
let github: FakeGithub;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-set-image-'));
  github = await startFakeGithub({ owner: 'acme', repo: 'config', tokens: { 'gh-token': { login: 'sluice-bot' } } });
  plain = createConfigRepo(join(dir, 'plain'), { basePort: 45000 });
  hosted = createConfigRepo(join(dir, 'hosted'), {
    basePort: 45000,
    repository: `  repository: { hosting: github, apiUrl: "${github.url}", owner: acme, repo: config }\n`,
  });
});

afterAll(async () => {
  await github?.close();
  rmSync(dir, { recursive: true, force: true });
});

const setImage = (repo: ConfigRepo, env: string, version: string, ...extra: string[]) =>
  runCli(['set-image', 'hello', '--env', env, repo.build(version), '--repo', repo.url, ...extra], {
    SLUICE_GITHUB_TOKEN: 'gh-token',
    // Without a server the commit's author is SLUICE_ACTOR.
    SLUICE_ACTOR: 'ci',
  });

describe('set-image without a server', () => {
  it('commits and pushes where the environment takes direct commits; a dry run only prints the diff', async () => {
    const before = plain.git('rev-parse', 'main');
    const dry = await setImage(plain, 'dev', '1.1.0', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+    sluice.dev/artifact-tag: "1.1.0"');
    expect(plain.git('rev-parse', 'main')).toBe(before);

    const r = await setImage(
      plain,
      'dev',
      '1.1.0',
      '--source-commit',
      'a1b2c3d',
      '--ci-run-url',
      'https://ci.example/run/9',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('committed');
    expect(plain.git('rev-parse', 'main^')).toBe(before);
    const message = plain.git('log', '-1', '--format=%B', 'main');
    expect(message).toMatch(/Sluice-Action: set-image\nSluice-App: hello\nSluice-Env: dev\n/);
    expect(message).toContain('Sluice-CI-Run: https://ci.example/run/9');
    expect(plain.git('show', 'main:apps/hello/overlays/dev/hello.yaml')).toContain('sluice.dev/artifact-tag: "1.1.0"');
  }, 30_000);

  it('refuses a protected environment when no hosting is configured (exit 3, with a hint)', async () => {
    const before = plain.git('rev-parse', 'main');
    const r = await setImage(plain, 'prod', '1.1.0');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('prod takes changes only through a reviewed request (protected, 1 approval(s))');
    expect(r.stderr).toContain('hint: Set spec.repository');
    expect(plain.git('rev-parse', 'main')).toBe(before);
  }, 30_000);

  it('opens a pull request where the environment needs a review, and finds it again on a retry', async () => {
    const before = hosted.git('rev-parse', 'main');
    const r = await setImage(hosted, 'prod', '2.0.0', '-o', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as StandaloneOutcome;
    expect(out.mode).toBe('requested');
    expect(out.request).toMatchObject({ id: '1', url: 'https://github.com/acme/config/pull/1' });
    const pull = github.pulls.get(1)!;
    expect(pull.head.ref).toBe(out.request!.branch);
    expect(pull.head.ref).toMatch(/^sluice\/prod\/hello-[0-9a-f]{12}$/);
    expect(pull.base.ref).toBe('main');
    expect(pull.title).toMatch(/^Set hello in prod to hello=.*:2\.0\.0@sha256:/);
    expect(pull.body).toContain('+    sluice.dev/artifact-tag: "2.0.0"');
    expect(hosted.git('rev-parse', `${pull.head.ref}^`)).toBe(before);
    expect(hosted.git('log', '-1', '--format=%B', pull.head.ref)).not.toContain('Sluice-Promotion');
    expect(hosted.git('rev-parse', 'main')).toBe(before);

    const again = JSON.parse((await setImage(hosted, 'prod', '2.0.0', '-o', 'json')).stdout) as StandaloneOutcome;
    expect(again.request?.id).toBe('1');
    expect(github.pulls.size).toBe(1);
  }, 30_000);
});
