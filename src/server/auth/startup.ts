import { parse } from 'yaml';
import { PROJECT_FILE } from '../../config/index.js';
import { SluiceError } from '../../errors/index.js';
import type { Source } from '../../source/index.js';
import type { Store } from '../../store/types.js';
import { Tokens } from './tokens.js';

/**
 * A server reachable from other machines starts only once some credential can exist: an
 * active API token in its store, or an `auth:` section in sluice.yaml. Otherwise every route
 * would answer 401 to everyone, or (worse, had it a default) answer anyone.
 */
export async function requireAuthConfigured(o: {
  host: string;
  dataDir: string;
  store: Store;
  source: Pick<Source, 'fetch' | 'readFile'>;
}): Promise<void> {
  if (await new Tokens(o.store.access).anyActive()) return;
  if (await declaresAuth(o.source)) return;
  throw new SluiceError('AUTH_NOT_CONFIGURED', `refusing to listen on ${o.host} without authentication configured`, {
    hint: `Create an admin token first (\`sluice --data-dir ${o.dataDir} token create --name admin --role admin --env '*'\`), add an auth: section to ${PROJECT_FILE}, or listen on 127.0.0.1.`,
  });
}

async function declaresAuth(source: Pick<Source, 'fetch' | 'readFile'>): Promise<boolean> {
  try {
    const { revision } = await source.fetch();
    const doc = parse(Buffer.from(await source.readFile(revision, PROJECT_FILE)).toString('utf8')) as {
      spec?: { auth?: unknown };
    } | null;
    return typeof doc?.spec?.auth === 'object' && doc.spec.auth !== null;
  } catch {
    return false; // no readable sluice.yaml yet: it declares nothing
  }
}
