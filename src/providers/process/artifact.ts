import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProviderError } from '../../errors/index.js';
import type { Layout } from './layout.js';
import type { ProcessSpec } from './spec.js';

type ArtifactSpec = NonNullable<ProcessSpec['artifact']>;

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Puts the artifact in the content-addressed cache and proves its content: a replica only
 * ever starts from a file whose sha256 matched the one in Git. Returns the cached path.
 */
export async function ensureArtifact(layout: Layout, ref: string, artifact: ArtifactSpec): Promise<string> {
  const source = artifact.path ?? fileURLToPath(artifact.url!);
  const dir = layout.artifactDir(artifact.sha256);
  const cached = join(dir, basename(source));
  if ((await exists(cached)) && (await sha256File(cached)) === artifact.sha256) return cached;

  if (!(await exists(source))) {
    throw new ProviderError('PROCESS_ARTIFACT_MISSING', `artifact ${source} does not exist`, {
      resource: ref,
      field: 'spec.artifact',
      hint: 'Build or copy the artifact to that path first, or point spec.artifact at where it is.',
    });
  }
  await mkdir(dir, { recursive: true });
  // Unique per call: environments sharing an artifact cache it concurrently, and each rename must find its own file.
  const tmp = `${cached}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await copyFile(source, tmp);
    const actual = await sha256File(tmp);
    if (actual !== artifact.sha256) {
      throw new ProviderError(
        'PROCESS_ARTIFACT_MISMATCH',
        `artifact ${source} has sha256 ${actual}, expected ${artifact.sha256}; refusing to start`,
        {
          resource: ref,
          field: 'spec.artifact.sha256',
          retry: false,
          hint: 'The file changed since its digest was committed. Commit the new sha256 (or restore the file) and sync again.',
        },
      );
    }
    await rename(tmp, cached);
  } finally {
    await rm(tmp, { force: true });
  }
  return cached;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
