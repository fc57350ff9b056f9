import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dora, loadLedger, whatRanAt } from '../../promote/index.js';
import type { Project } from '../../config/index.js';
import { verifyChain } from '../../store/ledger-chain.js';
import type { Store } from '../../store/types.js';
import { knownNames, parseTime } from './params.js';

const ledgerQuery = z.object({ app: z.string().optional(), env: z.string().optional() });
const whatRanQuery = z.object({ env: z.string().min(1), at: z.string().optional() });
const doraQuery = z.object({
  env: z.string().optional(),
  app: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
});

/** The deployment ledger, what ran when, and DORA metrics: all read from the store. */
export function ledgerRoutes(
  store: Store,
  project: () => string,
  loaded: () => Project | undefined = () => undefined,
): (app: FastifyInstance) => void {
  return (app) => {
    app.get('/api/v1/ledger', async (req) => {
      const q = ledgerQuery.parse(req.query);
      knownNames(loaded(), q);
      return loadLedger(store, {
        project: project(),
        ...(q.app ? { app: q.app } : {}),
        ...(q.env ? { env: q.env } : {}),
      });
    });
    // The whole chain, every project: an entry removed from one project breaks the links of all.
    app.get('/api/v1/ledger/verify', async () => {
      const { entries, head } = await store.ledgerChain.readChain();
      return verifyChain(entries, head);
    });
    app.get('/api/v1/what-ran', async (req) => {
      const q = whatRanQuery.parse(req.query);
      knownNames(loaded(), q);
      return whatRanAt(store, project(), q.env, parseTime(q.at, new Date()));
    });
    app.get('/api/v1/dora', async (req) => {
      const q = doraQuery.parse(req.query);
      knownNames(loaded(), q);
      const now = new Date();
      return dora(store, {
        project: project(),
        ...(q.env ? { env: q.env } : {}),
        ...(q.app ? { app: q.app } : {}),
        since: parseTime(q.since, new Date(now.getTime() - 30 * 86_400_000), now),
        until: parseTime(q.until, now, now),
      });
    });
  };
}
