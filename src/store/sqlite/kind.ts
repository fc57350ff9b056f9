import { join, resolve } from 'node:path';
import type { StoreKind } from '../kind.js';
import { SqliteStore } from './index.js';

const PREFIX = 'sqlite:';

/** One SQLite file: `sluice.db` in the data directory, or the file a `sqlite:` location names. */
export const sqliteKind: StoreKind = {
  name: 'sqlite',
  example: 'sqlite:/var/lib/sluice/sluice.db',
  accepts: (location) => location === '' || location.startsWith(PREFIX),
  open: (location, o) =>
    new SqliteStore(
      location === '' ? join(o.dataDir, 'sluice.db') : resolve(location.slice(PREFIX.length)),
      o.instance ? { instance: o.instance } : {},
    ),
};
