import { describe } from 'vitest';
import { PgStore } from '../../../src/store/postgres/index.js';
import { storeSuite } from '../../../src/store/test-support/suite.js';
import { createDatabase, skip } from './helpers.js';

// The store suite SQLite runs in `npm test`, here on a real PostgreSQL: one database per test.
describe.skipIf(skip)('PostgreSQL store', () => {
  storeSuite('PostgreSQL', {
    async database() {
      const url = await createDatabase();
      return { open: (instance) => PgStore.open(url, instance ? { instance } : {}) };
    },
  });
});
