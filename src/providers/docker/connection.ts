import { spawn } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { ProviderError, SluiceError } from '../../errors/index.js';

/** How to reach a Docker Engine: the target's `host`, TLS files and ssh client config. */
export interface DockerConnection {
  host: string;
  tls?: { ca: string; cert: string; key: string };
  /** An ssh_config file for an ssh:// host (`ssh -F`); the user's own config otherwise. */
  sshConfig?: string;
  /** Reads a TLS file (SOPS-decrypting it where Sluice's runtime provides that); readFileSync otherwise. */
  readFile?: (path: string) => Promise<Uint8Array>;
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** SSH connections kept open to one Engine: one per request in flight, reused after. */
const SSH_CONNECTIONS = 8;

/**
 * A client for the Engine at `host`, nothing contacted yet. The client library is loaded on
 * first use: every Sluice command reads the target registry, and most never talk to Docker.
 * TLS files are read (and SOPS-decrypted in memory) and checked here, so a wrong file is
 * named before any request.
 */
export async function dockerClient(c: DockerConnection): Promise<Dockerode> {
  // dockerode is CommonJS: Node hands its export over as `default`.
  const mod = (await import('dockerode')) as unknown as { default: typeof Dockerode };
  const Engine = mod.default;
  const url = new URL(c.host);
  if (url.protocol === 'unix:') return new Engine({ socketPath: url.pathname });
  if (url.protocol === 'ssh:')
    // Host, port and path are those of the ssh agent below; Docker only sees a local socket.
    return new Engine({
      host: 'docker',
      port: 80,
      protocol: 'http',
      agent: sshAgent(url, c.sshConfig),
    } as Dockerode.DockerOptions);
  if (url.protocol === 'tcp:') {
    const port = Number(url.port || (c.tls ? 2376 : 2375));
    if (!c.tls) return new Engine({ host: url.hostname, port, protocol: 'http' });
    const tls = await readTls(c.tls, c.readFile);
    return new Engine({ host: url.hostname, port, protocol: 'https', ...tls });
  }
  throw new ProviderError('DOCKER_HOST', `unsupported Docker host ${c.host}`, {
    hint: 'Use unix:///path/to/docker.sock, tcp://host:2376 (with tls) or ssh://user@host.',
    retry: false,
  });
}

/** Ends the client's open connections (ssh processes); requests made after open new ones. */
export function closeDockerClient(docker: Dockerode): void {
  (docker.modem as { agent?: Agent }).agent?.destroy();
}

const tlsHint = (what: string) =>
  `Point tls.${what} of the docker target at a readable PEM file (plain or SOPS-encrypted).`;

async function readPem(
  what: 'ca' | 'cert' | 'key',
  path: string,
  read: ((path: string) => Promise<Uint8Array>) | undefined,
): Promise<Buffer> {
  try {
    return Buffer.from(read ? await read(path) : readFileSync(path));
  } catch (e) {
    if (e instanceof SluiceError) throw e;
    throw new ProviderError('DOCKER_TLS_FILE', `cannot read tls.${what} ${path}: ${(e as Error).message}`, {
      hint: tlsHint(what),
      retry: false,
    });
  }
}

/**
 * CA, certificate and key, checked to be what their field says and to belong together, so a
 * swapped or mistyped path is named here rather than as a TLS alert from the Engine.
 */
async function readTls(
  files: { ca: string; cert: string; key: string },
  read: ((path: string) => Promise<Uint8Array>) | undefined,
) {
  const [ca, cert, key] = await Promise.all([
    readPem('ca', files.ca, read),
    readPem('cert', files.cert, read),
    readPem('key', files.key, read),
  ]);
  const bad = (what: string, path: string, why: string, hint: string) =>
    new ProviderError('DOCKER_TLS_FILE', `tls.${what} ${path} ${why}`, { hint, retry: false });
  let clientCert: X509Certificate;
  try {
    new X509Certificate(ca);
  } catch {
    throw bad('ca', files.ca, 'is not a PEM certificate', tlsHint('ca'));
  }
  try {
    clientCert = new X509Certificate(cert);
  } catch {
    throw bad('cert', files.cert, 'is not a PEM certificate', tlsHint('cert'));
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw bad('key', files.key, 'is not a PEM private key', tlsHint('key'));
  }
  if (!clientCert.checkPrivateKey(privateKey))
    throw bad(
      'key',
      files.key,
      `does not belong to the certificate ${files.cert}`,
      'tls.cert and tls.key must be the client certificate and its own key.',
    );
  return { ca, cert, key };
}

/** Certificate checks that fail because the Engine's certificate is not one tls.ca vouches for. */
const SERVER_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/**
 * An error that came from the connection to the Engine rather than from the Engine, in the
 * target's words: which TLS file to fix, or what ssh said; undefined for any other error.
 */
export function connectionError(c: DockerConnection, e: unknown): ProviderError | undefined {
  if (e instanceof ProviderError) return e;
  if ((e as { statusCode?: number }).statusCode !== undefined) return undefined;
  const code = String((e as { code?: unknown }).code ?? '');
  const message = (e as Error).message;
  if (c.tls && SERVER_UNTRUSTED.has(code))
    return new ProviderError(
      'DOCKER_TLS',
      `the Docker Engine at ${c.host} presented a certificate that tls.ca ${c.tls.ca} does not vouch for: ${message}`,
      {
        hint: `Set tls.ca to the CA that signed the Engine's certificate (its --tlscert), and make sure that certificate names the host ${new URL(c.host).hostname}.`,
        retry: false,
        cause: e,
      },
    );
  if (c.tls && (/ALERT/.test(code) || (/^(ECONNRESET|EPIPE)$/.test(code) && /socket|TLS/i.test(message))))
    return new ProviderError(
      'DOCKER_TLS',
      `the Docker Engine at ${c.host} refused the client certificate tls.cert ${c.tls.cert}: ${message}`,
      {
        hint: 'Use a client certificate signed by the CA the Engine trusts (its --tlscacert), with the key of that certificate as tls.key.',
        retry: false,
        cause: e,
      },
    );
  return undefined;
}

/**
 * An HTTP agent whose connections are `ssh <host> docker system dial-stdio`: the system's ssh,
 * so ~/.ssh/config, known_hosts, the agent and ProxyJump apply as they do for `docker -H ssh://`.
 */
function sshAgent(url: URL, config: string | undefined): Agent {
  const destination = `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.hostname}`;
  const args = [
    ...(config ? ['-F', config] : []),
    ...(url.port ? ['-p', url.port] : []),
    '-o',
    'BatchMode=yes',
    '--',
    destination,
    'docker',
    'system',
    'dial-stdio',
  ];
  const agent = new Agent({ keepAlive: true, maxSockets: SSH_CONNECTIONS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => sshStream(args, destination);
  return agent;
}

function sshStream(args: string[], destination: string): Duplex {
  const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  // Write errors (ssh gone) are dropped and the read side ends only once ssh has exited, so a
  // failed login is reported with what ssh said rather than as a broken pipe.
  child.stdin.on('error', () => {});
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      if (child.stdin.write(chunk)) done();
      else child.stdin.once('drain', () => done());
    },
    final(done) {
      child.stdin.end();
      done();
    },
    read() {
      child.stdout.resume();
    },
  });
  child.stdout.on('data', (d: Buffer) => {
    if (!stream.push(d)) child.stdout.pause();
  });
  child.on('error', (e) => stream.destroy(sshFailed(destination, e.message)));
  child.on('close', (code) => {
    if (code) stream.destroy(sshFailed(destination, stderr.trim() || `exit code ${code}`));
    else stream.push(null);
  });
  stream.on('close', () => child.kill());
  // The HTTP agent treats its connections as sockets; these have no TCP options to set.
  Object.assign(stream, { setKeepAlive() {}, setNoDelay() {}, setTimeout() {}, ref() {}, unref() {} });
  return stream;
}

function sshFailed(destination: string, why: string): ProviderError {
  return new ProviderError('DOCKER_SSH', `ssh to ${destination} failed: ${why}`, {
    hint: `Check that \`ssh ${destination} docker version\` works without a prompt (key, known_hosts, a user in the docker group).`,
    retry: true,
  });
}

/** For removals: what is already gone is what was wanted. */
export function ignoreMissing(e: unknown): void {
  if ((e as { statusCode?: number }).statusCode === 404) return;
  throw e;
}

/** For starts and stops: a container already in that state is what was wanted. */
export function ignoreNotModified(e: unknown): void {
  if ((e as { statusCode?: number }).statusCode === 304) return;
  throw e;
}
