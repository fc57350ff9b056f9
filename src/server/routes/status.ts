import type { FastifyInstance } from 'fastify';
import type { ProjectStatus, StatusFeed } from '../../reconcile/index.js';
import type { Project } from '../../config/index.js';
import { queryStatus, statusQuery, type StatusQuery } from '../status-query.js';
import { knownNames } from './params.js';

/** What the status routes read: the controller's views, kept current as its scopes move. */
export interface StatusReader {
  readonly project: Project | undefined;
  readonly statusFeed: StatusFeed;
  status(): ProjectStatus;
  statusHeader(): Omit<ProjectStatus, 'apps'>;
}

/**
 * A stream sends the project and source again this often: it keeps proxies from closing an idle
 * connection, and shows a fetch that changed no scope.
 */
export const STREAM_HEARTBEAT_MS = 15_000;

/**
 * `GET /api/v1/status` (filtered and paged) and `GET /api/v1/status/stream`, which sends the
 * whole status once (`snapshot`) and then every batch of changed scopes (`change`) as
 * server-sent events. Both answer from memory: no request reads the store.
 */
export function statusRoutes(reader: StatusReader, mask: (text: string) => string = (t) => t) {
  return (api: FastifyInstance): void => {
    const answers = new AnswerCache();
    api.get('/api/v1/status', async (req, reply) => {
      const q = statusQuery.parse(req.query ?? {});
      knownNames(reader.project, q);
      const header = JSON.stringify(reader.statusHeader());
      const body = answers.get(q, reader.statusFeed.version, header, () =>
        JSON.stringify(queryStatus(reader.status(), q)),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    });

    const open = new Set<() => void>();
    // An open stream would hold the server's close until the browser went away.
    api.addHook('preClose', async () => {
      for (const end of [...open]) end();
    });

    api.get('/api/v1/status/stream', async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // Proxies that buffer responses (nginx) would hold events back.
        'x-accel-buffering': 'no',
      });
      // Bodies that bypass fastify's onSend (as this one does) are masked here.
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${mask(JSON.stringify(data))}\n\n`);
      send('snapshot', reader.status());
      const unsubscribe = reader.statusFeed.subscribe((change) =>
        send('change', { ...reader.statusHeader(), ...change }),
      );
      const beat = setInterval(() => send('header', reader.statusHeader()), STREAM_HEARTBEAT_MS);
      beat.unref();
      const end = () => {
        if (!open.delete(end)) return;
        unsubscribe();
        clearInterval(beat);
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);
    });
  };
}

/**
 * Serialised answers by query, kept while no scope's view and nothing in the header changed:
 * a dashboard or a load balancer asking for 3,000 scopes many times a second is then answered
 * without building and serialising them again. Masking still runs on every answer as it leaves.
 */
class AnswerCache {
  private readonly answers = new Map<string, { version: number; header: string; body: string }>();

  get(q: StatusQuery, version: number, header: string, build: () => string): string {
    const key = JSON.stringify([q.app, q.env, q.status?.toLowerCase(), q.limit, q.offset]);
    const hit = this.answers.get(key);
    if (hit && hit.version === version && hit.header === header) return hit.body;
    const body = build();
    // Queries are few in practice (the dashboard's, a monitor's); many distinct ones start over.
    if (this.answers.size >= 64) this.answers.clear();
    this.answers.set(key, { version, header, body });
    return body;
  }
}
