import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveBuilds, type BuildServer } from './build-server.js';

function post(socket: string, form: [string, string][]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: '/build' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(new URLSearchParams(form).toString());
  });
}

describe('the kustomize build server', () => {
  let dir: string;
  let socket: string;
  let server: BuildServer | undefined;
  let fingerprint: string;
  let idled: () => void;
  const idle = new Promise<void>((resolve) => (idled = resolve));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-build-server-'));
    mkdirSync(join(dir, 'base'));
    mkdirSync(join(dir, 'prod'));
    writeFileSync(join(dir, 'base', 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(join(dir, 'base', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n');
    writeFileSync(join(dir, 'prod', 'kustomization.yaml'), 'resources:\n- ../base\nnamePrefix: prod-\n');
    socket = join(dir, 'build.sock');
    fingerprint = 'v1';
    server = await serveBuilds({ socket, idleMs: 0, fingerprint: () => fingerprint });
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a build from the working directory it is given, read from disk each time', async () => {
    const first = await post(socket, [
      ['cwd', join(dir, 'prod')],
      ['a', 'build'],
      ['a', '.'],
    ]);
    expect(first).toEqual({ status: 200, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prod-web\n' });
    writeFileSync(join(dir, 'prod', 'kustomization.yaml'), 'resources:\n- ../base\nnamePrefix: live-\n');
    const second = await post(socket, [
      ['cwd', dir],
      ['a', 'prod'],
    ]);
    expect(second.body).toContain('name: live-web');
  });

  it('is private to its owner', () => {
    expect(statSync(socket).mode & 0o777).toBe(0o600);
  });

  it('replaces a socket a killed server left, and never a file that is not a socket', async () => {
    await server!.close();
    // A server killed while listening: its socket stays behind.
    spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(socket).isSocket()).toBe(true);
    server = await serveBuilds({ socket, idleMs: 0, fingerprint: () => fingerprint });
    expect((await post(socket, [['cwd', join(dir, 'prod')]])).status).toBe(200);
    await server.close();
    server = undefined;
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me\n');
    await expect(serveBuilds({ socket: file, idleMs: 0, fingerprint: () => fingerprint })).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('answers a failed build, a usage error or a missing directory without output, for the command to print', async () => {
    writeFileSync(join(dir, 'prod', 'kustomization.yaml'), 'resources: [../missing]\n');
    for (const form of [
      [['cwd', join(dir, 'prod')]],
      [
        ['cwd', dir],
        ['a', '--no-such-flag'],
      ],
      [['cwd', join(dir, 'gone')]],
    ] as [string, string][][]) {
      expect(await post(socket, form)).toEqual({ status: 422, body: '' });
    }
  });

  it('answers no build once the installed engine changed under it', async () => {
    fingerprint = 'v2';
    expect(
      await post(socket, [
        ['cwd', join(dir, 'prod')],
        ['a', '.'],
      ]),
    ).toEqual({ status: 503, body: '' });
  });

  it("answers only its own installation's launcher", async () => {
    await server!.close();
    const launcher = join(dir, 'bin', 'sluice');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(launcher, '');
    symlinkSync(launcher, join(dir, 'linked'));
    server = await serveBuilds({ socket, idleMs: 0, fingerprint: () => fingerprint, launcher });
    const ask = (l: string) =>
      post(socket, [
        ['cwd', join(dir, 'prod')],
        ['launcher', l],
      ]);
    expect((await ask(launcher)).status).toBe(200);
    expect((await ask('../bin/sluice')).status).toBe(200);
    expect((await ask(join(dir, 'linked'))).status).toBe(200);
    expect((await ask(join(dir, 'base', 'kustomization.yaml'))).status).toBe(503);
    expect((await post(socket, [['cwd', join(dir, 'prod')]])).status).toBe(503);
  });

  it('says when it has been idle for its idle time', async () => {
    await server!.close();
    server = await serveBuilds({ socket, idleMs: 20, fingerprint: () => fingerprint, onIdle: () => idled() });
    await post(socket, [['cwd', join(dir, 'prod')]]);
    await idle;
  });
});
