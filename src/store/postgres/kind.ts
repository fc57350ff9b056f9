import type { StoreKind } from '../kind.js';
import { PgStore } from './index.js';

/** A PostgreSQL database several controllers share, by connection URL. */
export const postgresKind: StoreKind = {
  name: 'postgres',
  example: 'postgres://sluice:password@db.example:5432/sluice',
  accepts: (location) => /^postgres(ql)?:\/\//i.test(location),
  open: (location, o) => PgStore.open(location, o.instance ? { instance: o.instance } : {}),
};
