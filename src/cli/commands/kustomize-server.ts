import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../../errors/index.js';
import { formatDuration, parseDuration } from '../../model/duration.js';
import { serveBuilds } from '../../render/kustomize/build-server.js';

/** The installed command this server answers for: bin/sluice of the same installation. */
const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'sluice');

/** What the launcher reads to send `sluice kustomize build` to a running server. */
const ENV = 'SLUICE_KUSTOMIZE_SERVER';

interface Options {
  socket?: string;
  idle: string;
  detach?: boolean;
}

/**
 * `sluice kustomize server`: prints, as ssh-agent does, the shell commands that point builds at
 * it, then serves until idle, SIGINT or SIGTERM. With --detach it starts itself in the
 * background, waits until it listens, prints the same and returns.
 */
export async function runBuildServer(opts: Options): Promise<number> {
  let idleMs: number;
  try {
    idleMs = opts.idle === '0' ? 0 : parseDuration(opts.idle);
  } catch (e) {
    process.stderr.write(`Error: --idle: ${describeError(e)}\n`);
    return 2;
  }
  const announce = (socket: string, pid: number) =>
    process.stdout.write(
      `${ENV}=${shellQuote(socket)}; export ${ENV};\n` +
        `echo 'sluice kustomize server: pid ${pid}${idleMs ? `, exits after ${formatDuration(idleMs)} without a build` : ''}';\n`,
    );
  if (opts.detach) return detach(opts, announce);
  const own = opts.socket ? undefined : mkdtempSync(join(tmpdir(), 'sluice-kustomize-'));
  const socket = opts.socket ?? join(own!, 'build.sock');
  let stop = () => {};
  const server = await serveBuilds({
    socket,
    idleMs,
    fingerprint: engineFingerprint,
    launcher: LAUNCHER,
    onIdle: () => stop(),
  }).catch((e: unknown) => {
    const message = `Error: cannot listen on ${socket}: ${describeError(e)}\n`;
    // Started by --detach: the starting process prints it.
    if (process.send) process.send({ error: message });
    else process.stderr.write(message);
    return undefined;
  });
  if (!server) return 1;
  await new Promise<void>((resolve) => {
    stop = () => {
      stop = () => {};
      void server.close().finally(() => {
        if (own) rmSync(own, { recursive: true, force: true });
        else rmSync(socket, { force: true });
        resolve();
      });
    };
    process.once('SIGINT', () => stop());
    process.once('SIGTERM', () => stop());
    if (process.send) process.send({ listening: socket }, () => process.disconnect?.());
    else announce(socket, process.pid);
  });
  return 0;
}

/** Starts the server as a process of its own, out of this terminal's session, and waits until it listens. */
function detach(opts: Options, announce: (socket: string, pid: number) => void): Promise<number> {
  const args = [...process.execArgv, process.argv[1]!, 'kustomize', 'server', '--idle', opts.idle];
  if (opts.socket) args.push('--socket', opts.socket);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  return new Promise((resolve) => {
    child.once('message', (m: { listening?: string; error?: string }) => {
      child.removeAllListeners('exit');
      if (child.connected) child.disconnect();
      child.unref();
      if (!m.listening) {
        process.stderr.write(m.error ?? 'Error: the kustomize build server did not start\n');
        return resolve(1);
      }
      announce(m.listening, child.pid!);
      resolve(0);
    });
    child.once('exit', (code) => {
      process.stderr.write(`Error: the kustomize build server exited (${code}) before it listened\n`);
      resolve(1);
    });
  });
}

/** The installed engine's files as they are now: a rebuild or an upgrade changes it. */
function engineFingerprint(): string {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'render', 'kustomize');
  return ['cli', 'index']
    .map((name) => {
      for (const ext of ['.js', '.ts']) {
        try {
          const s = statSync(join(dir, name + ext));
          return `${s.size}:${s.mtimeMs}`;
        } catch {
          // the other extension: compiled or run from source
        }
      }
      return '-';
    })
    .join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
