import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimit } from './concurrency.js';
import { KubeClient, loadKubeConfig, type KubeTarget } from './client.js';
import { bundleOf, type OpenApiDocument, type SchemaBundle } from './schema-compact.js';

/**
 * The schema a cluster serves (`sluice validate --schema-from-cluster`): its OpenAPI v3 index
 * and every group-version document, CRDs included, so custom resources are checked as the
 * server would check them. Each document is named in the index by a hash of its content;
 * compacted documents are kept under the data directory per server version and hash, so a
 * second run reads only the index and what changed (a CRD installed or updated).
 */

interface OpenApiIndex {
  paths?: Record<string, { serverRelativeURL?: string }>;
}

/** Group-versions objects are applied to; the rest (/version, /.well-known, /logs) describe no kind. */
const isGroupVersion = (path: string) => path.startsWith('api/') || path.startsWith('apis/');

export async function clusterSchema(
  target: KubeTarget,
  dataDir: string,
): Promise<{ bundle: SchemaBundle; server: string }> {
  const client = await KubeClient.create(loadKubeConfig(target), { reload: () => loadKubeConfig(target) });
  try {
    const { gitVersion } = await client.request<{ gitVersion: string }>('GET', '/version');
    const index = await client.request<OpenApiIndex>('GET', '/openapi/v3');
    const dir = join(dataDir, 'kubernetes', 'openapi', gitVersion.replace(/[^\w.+-]/g, '_'));
    mkdirSync(dir, { recursive: true });
    const entries = Object.entries(index.paths ?? {}).filter(([path]) => isGroupVersion(path));
    const parts = await mapLimit(entries, 4, async ([path, { serverRelativeURL }]) => {
      const url = serverRelativeURL ?? `/openapi/v3/${path}`;
      const hash = new URL(url, 'http://server').searchParams.get('hash');
      const file = hash ? join(dir, `${hash.replace(/\W/g, '')}.json`) : undefined;
      if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SchemaBundle;
      const part = bundleOf(gitVersion, [await client.request<OpenApiDocument>('GET', url)]);
      if (file) {
        // Written whole or not at all: another validate may read the cache at the same time.
        writeFileSync(`${file}.${process.pid}`, JSON.stringify(part));
        renameSync(`${file}.${process.pid}`, file);
      }
      return part;
    });
    const bundle: SchemaBundle = { version: gitVersion, kinds: {}, schemas: {} };
    for (const p of parts) {
      Object.assign(bundle.kinds, p.kinds);
      Object.assign(bundle.schemas, p.schemas);
    }
    return { bundle, server: client.server };
  } finally {
    client.close();
  }
}
