import { chmodSync, lstatSync, realpathSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type Server } from 'node:http';
import { runKustomizeBuild } from './cli.js';

export interface BuildServerOptions {
  /** The UNIX socket to listen on; made readable and writable by its owner only. */
  socket: string;
  /** Exit after this long without a request; 0 never. */
  idleMs: number;
  /**
   * A fingerprint of the installed engine, read again at each request: once it differs from
   * the one at start (Sluice was upgraded or rebuilt), the server answers no more builds and
   * the command builds by itself, so no build comes from code that is no longer installed.
   */
  fingerprint: () => string;
  /**
   * The launcher (bin/sluice) of the installation this server runs from. A request from
   * another installation's launcher (another version of Sluice on the same machine) gets no
   * build, so its output never comes from an engine it did not install.
   */
  launcher?: string;
  onIdle?: () => void;
}

export interface BuildServer {
  close(): Promise<void>;
}

/**
 * Serves `sluice kustomize build` to the launcher (bin/sluice) over a UNIX socket, so a script
 * that builds hundreds of directories one command at a time does not start Node for each.
 * POST /build takes `cwd`, the `launcher` that asks (its `$0`) and the command's arguments
 * (`a`, in order), form-encoded. A build
 * that succeeds answers 200 with exactly what the command prints; anything else (a failed
 * build, a usage error, a stale server) answers without output and the launcher runs the
 * command itself, so errors and exit codes are the command's own. Files are read from disk at
 * every build: nothing of a tree is kept between requests.
 */
export async function serveBuilds(options: BuildServerOptions): Promise<BuildServer> {
  const started = options.fingerprint();
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    if (options.idleMs > 0) idle = setTimeout(() => options.onIdle?.(), options.idleMs);
  };
  const server: Server = createServer((req, res) => {
    touch();
    if (req.method !== 'POST' || req.url !== '/build') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (options.fingerprint() !== started) {
        res.writeHead(503).end();
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      let cwd: string;
      try {
        cwd = realpathSync(form.get('cwd') ?? '');
      } catch {
        res.writeHead(422).end();
        return;
      }
      if (options.launcher && !sameFile(resolve(cwd, form.get('launcher') ?? ''), options.launcher)) {
        res.writeHead(503).end();
        return;
      }
      const out: string[] = [];
      let wroteError = false;
      const code = runKustomizeBuild(
        form.getAll('a'),
        { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => (wroteError = true) } },
        cwd,
      );
      if (code !== 0 || wroteError) res.writeHead(422).end();
      else res.writeHead(200, { 'content-type': 'application/yaml' }).end(out.join(''));
    });
  });
  // A socket left by a server that was killed is replaced; any other file there is not touched.
  if (lstatSync(options.socket, { throwIfNoEntry: false })?.isSocket()) rmSync(options.socket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(options.socket, 0o600);
  touch();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(idle);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
