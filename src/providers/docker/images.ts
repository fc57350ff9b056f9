import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { ProviderError } from '../../errors/index.js';
import type { DesiredService } from './plan.js';

/**
 * Makes sure every image is on the Engine before any container is touched: one that is
 * neither there nor pullable fails the apply with nothing stopped.
 */
export async function ensureImages(
  docker: Dockerode,
  services: readonly DesiredService[],
  onProgress?: (message: string) => void,
): Promise<void> {
  const missing: string[] = [];
  for (const image of new Set(services.map((s) => s.spec.image))) {
    try {
      await docker.getImage(image).inspect();
      continue;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    onProgress?.(`pulling ${image}`);
    try {
      await pull(docker, image);
    } catch (e) {
      missing.push(`${image} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (missing.length > 0)
    throw new ProviderError(
      'DOCKER_IMAGE_MISSING',
      `image not found on the Docker host and not pullable: ${missing.join(', ')}`,
      {
        hint: 'Push the image, fix its name, or log in to its registry (`docker login`); nothing was changed.',
        retry: false,
      },
    );
}

async function pull(docker: Dockerode, image: string): Promise<void> {
  const auth = registryAuth(image);
  const stream = await docker.pull(image, auth ? { authconfig: auth } : {});
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = out?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed!.error));
      else resolve();
    }),
  );
}

/** Credentials for the image's registry from ~/.docker/config.json (`auths`), when there are any. */
export function registryAuth(
  image: string,
  configPath = join(process.env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json'),
): { username: string; password: string; serveraddress: string } | undefined {
  let config: { auths?: Record<string, { auth?: string }> };
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const first = image.split('/')[0]!;
  const registry = image.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'https://index.docker.io/v1/';
  const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: registry };
}
