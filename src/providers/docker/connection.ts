import { readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { ProviderError } from '../../errors/index.js';

/** How to reach a Docker Engine: the target's `host` and TLS files. */
export interface DockerConnection {
  host: string;
  tls?: { ca: string; cert: string; key: string };
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/**
 * A client for the Engine at `host`, nothing contacted yet. The client library is loaded on
 * first use: every Sluice command reads the target registry, and most never talk to Docker.
 */
export async function dockerClient(c: DockerConnection): Promise<Dockerode> {
  // dockerode is CommonJS: Node hands its export over as `default`.
  const mod = (await import('dockerode')) as unknown as { default: typeof Dockerode };
  const Engine = mod.default;
  const url = new URL(c.host);
  if (url.protocol === 'unix:') return new Engine({ socketPath: url.pathname });
  if (url.protocol === 'tcp:') {
    const port = Number(url.port || (c.tls ? 2376 : 2375));
    if (!c.tls) return new Engine({ host: url.hostname, port, protocol: 'http' });
    const read = (what: string, path: string) => {
      try {
        return readFileSync(path);
      } catch (e) {
        throw new ProviderError('DOCKER_TLS_FILE', `cannot read the TLS ${what} ${path}: ${(e as Error).message}`, {
          hint: 'Point tls.ca, tls.cert and tls.key of the docker target at readable PEM files.',
          retry: false,
        });
      }
    };
    return new Engine({
      host: url.hostname,
      port,
      protocol: 'https',
      ca: read('CA', c.tls.ca),
      cert: read('certificate', c.tls.cert),
      key: read('key', c.tls.key),
    });
  }
  throw new ProviderError('DOCKER_HOST', `unsupported Docker host ${c.host}`, {
    hint: 'Use unix:///path/to/docker.sock or tcp://host:port.',
    retry: false,
  });
}
