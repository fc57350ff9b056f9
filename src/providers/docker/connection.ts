import { readFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import { ProviderError } from '../../errors/index.js';

/** How to reach a Docker Engine: the target's `host` and TLS files. */
export interface DockerConnection {
  host: string;
  tls?: { ca: string; cert: string; key: string };
}

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/**
 * A client for the Engine at `host`. Nothing is contacted here: creating a provider must not
 * connect, so TLS files are read now but the socket or port only on the first call.
 */
export function dockerClient(c: DockerConnection): Dockerode {
  const url = new URL(c.host);
  if (url.protocol === 'unix:') return new Dockerode({ socketPath: url.pathname });
  if (url.protocol === 'tcp:') {
    const port = Number(url.port || (c.tls ? 2376 : 2375));
    if (!c.tls) return new Dockerode({ host: url.hostname, port, protocol: 'http' });
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
    return new Dockerode({
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
