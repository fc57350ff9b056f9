import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, eventually, runProcess as run } from '../support/sluice.js';

const LAUNCHER = join(ROOT, 'bin', 'sluice');
const built = existsSync(join(ROOT, 'dist', 'cli', 'run.js'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// `eval "$(sluice kustomize server --detach)"` then `sluice kustomize build` one process per
// directory: builds come from the running engine, and anything it does not answer is the
// command's own (errors, exit codes, a server that is gone).
describe.skipIf(!built)('sluice kustomize server', { timeout: 240_000 }, () => {
  let repo: string;
  let socket: string;
  let pid: number;
  let lone: string;
  let curlOnly: string;
  const env = () => ({ SLUICE_KUSTOMIZE_SERVER: socket });
  // Nothing on PATH but curl: the launcher can reach the server, and cannot run the build
  // itself (no node, no readlink), so what it prints can only have come from the server.
  const serverOnly = () => ({ ...env(), PATH: curlOnly });

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'sluice-kustomize-server-'));
    mkdirSync(join(repo, 'base'));
    mkdirSync(join(repo, 'overlays', 'prod'), { recursive: true });
    writeFileSync(join(repo, 'base', 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(join(repo, 'base', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n');
    writeFileSync(
      join(repo, 'overlays', 'prod', 'kustomization.yaml'),
      'resources:\n- ../../base\nnamePrefix: prod-\n',
    );
    curlOnly = join(repo, 'curl-only');
    mkdirSync(curlOnly);
    symlinkSync(execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim(), join(curlOnly, 'curl'));
    // A launcher of another installation, with no Sluice beside it.
    lone = join(repo, 'lone', 'bin', 'sluice');
    mkdirSync(dirname(lone), { recursive: true });
    copyFileSync(LAUNCHER, lone);
    const started = await run(LAUNCHER, ['kustomize', 'server', '--detach'], repo);
    expect(started.code, started.stderr).toBe(0);
    const m = /^SLUICE_KUSTOMIZE_SERVER=(\S+); export SLUICE_KUSTOMIZE_SERVER;\necho '.*pid (\d+),/.exec(
      started.stdout,
    );
    expect(m, started.stdout).not.toBeNull();
    socket = m![1]!;
    pid = Number(m![2]);
  });
  afterAll(() => {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(repo, { recursive: true, force: true });
  });

  it('listens on a socket only its owner can reach', () => {
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(socket)).mode & 0o777).toBe(0o700);
  });

  it('answers builds from the working directory, reading each tree as it is now', async () => {
    const first = await run(LAUNCHER, ['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), serverOnly());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prod-web\n');
    writeFileSync(
      join(repo, 'overlays', 'prod', 'kustomization.yaml'),
      'resources:\n- ../../base\nnamePrefix: live-\n',
    );
    const second = await run(LAUNCHER, ['kustomize', 'build', 'overlays/prod'], repo, serverOnly());
    expect(second.stdout).toContain('name: live-web');
    const written = await run(LAUNCHER, ['kustomize', 'build', 'overlays/prod', '-o', 'out.yaml'], repo, serverOnly());
    expect(written.code).toBe(0);
    expect(readFileSync(join(repo, 'out.yaml'), 'utf8')).toContain('name: live-web');
  });

  it('leaves errors to the command itself: the same message and exit code as without a server', async () => {
    const alone = await run(LAUNCHER, ['kustomize', 'build', 'nowhere'], repo);
    const served = await run(LAUNCHER, ['kustomize', 'build', 'nowhere'], repo, env());
    expect(served).toEqual(alone);
    expect(served.code).toBe(1);
    expect(served.stderr).toBe("Error: must build at directory: 'nowhere': no such directory\n");
    const lonely = await run(LAUNCHER, ['kustomize', 'build', 'nowhere'], repo, serverOnly());
    expect(lonely.code).not.toBe(0);
    expect(lonely.stdout).toBe('');
  });

  it("gives no build to another installation's launcher", async () => {
    const foreign = await run(lone, ['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), env());
    expect(foreign.code).not.toBe(0);
    expect(foreign.stdout).toBe('');
  });

  it('stops on SIGTERM and takes its socket with it; builds then run without it', async () => {
    process.kill(pid, 'SIGTERM');
    await eventually(() => (alive(pid) ? undefined : true), 30_000, 'the server to stop');
    expect(existsSync(dirname(socket))).toBe(false);
    const after = await run(LAUNCHER, ['kustomize', 'build', 'overlays/prod'], repo, env());
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('name: live-web');
  });

  it('after kill -9 leaves a dead socket, which builds go past', async () => {
    const started = await run(LAUNCHER, ['kustomize', 'server', '--detach', '--idle', '0'], repo);
    const m = /=(\S+);[\s\S]*pid (\d+)'/.exec(started.stdout);
    expect(m, started.stdout + started.stderr).not.toBeNull();
    const [, sock, p] = m!;
    process.kill(Number(p), 'SIGKILL');
    await eventually(() => (alive(Number(p)) ? undefined : true), 30_000, 'the server to die');
    expect(existsSync(sock!)).toBe(true);
    const after = await run(LAUNCHER, ['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), {
      SLUICE_KUSTOMIZE_SERVER: sock!,
    });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('name: live-web');
    rmSync(dirname(sock!), { recursive: true, force: true });
  });

  // A server that dies while sending a build has already put part of it on standard output;
  // building again here would follow it with the whole build, and a pipe into `kubectl apply`
  // would take both. The server is one that answers 200 and hangs up mid-body.
  it('fails a build whose answer broke off, rather than printing part of it twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-broken-server-'));
    const sock = join(dir, 'server.sock');
    const server = createServer((c) =>
      c.once('data', () => {
        c.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\napiVersion: v1\n');
        setTimeout(() => c.destroy(), 100);
      }),
    );
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const r = await run(LAUNCHER, ['kustomize', 'build', '.'], join(repo, 'overlays', 'prod'), {
        SLUICE_KUSTOMIZE_SERVER: sock,
      });
      expect(r.stdout).toBe('apiVersion: v1\n');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the kustomize server at ${sock} stopped in the middle of its answer`);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
