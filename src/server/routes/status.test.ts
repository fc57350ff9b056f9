import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { StatusFeed } from '../../reconcile/status-feed.js';
import type { AppEnvStatus, ProjectStatus } from '../../reconcile/index.js';
import { statusRoutes, type StatusReader } from './status.js';

const view = (app: string, env: string, sync: AppEnvStatus['sync'] = 'Synced'): AppEnvStatus => ({
  app,
  env,
  target: 'local',
  provider: 'process',
  sync,
  health: 'Healthy',
  resources: [],
  autoSync: true,
  selfHeal: false,
});

/** A reader over a real feed whose header the test moves by hand. */
function reader(feed: StatusFeed, header: { revision: string }): StatusReader {
  const head = () => ({ project: 'shop', source: { url: 'memory://config', branch: 'main', ...header } });
  return {
    project: undefined,
    statusFeed: feed,
    statusHeader: () => head() as unknown as Omit<ProjectStatus, 'apps'>,
    status: () => ({ ...head(), apps: feed.all() }) as unknown as ProjectStatus,
  };
}

describe('GET /api/v1/status', () => {
  it('answers again from what it serialised until a view or the header moves', async () => {
    const feed = new StatusFeed();
    feed.set('web@dev', view('web', 'dev'));
    const header = { revision: 'r1' };
    const app = Fastify();
    let masks = 0;
    app.addHook('onSend', async (_req, _reply, payload) => (masks++, payload));
    void app.register(async (api) => statusRoutes(reader(feed, header))(api));
    const get = async (url = '/api/v1/status') =>
      JSON.parse((await app.inject({ method: 'GET', url })).body) as ProjectStatus;

    expect((await get()).apps.map((a) => a.sync)).toEqual(['Synced']);
    // A view changing under an unchanged header is seen at once.
    feed.set('web@dev', view('web', 'dev', 'Failed'));
    expect((await get()).apps.map((a) => a.sync)).toEqual(['Failed']);
    // So is the header changing under unchanged views.
    header.revision = 'r2';
    expect((await get()).source.revision).toBe('r2');
    // Queries are answered apart: a filter never gets the whole answer.
    feed.set('web@prod', view('web', 'prod'));
    expect((await get('/api/v1/status?env=prod')).apps.map((a) => a.env)).toEqual(['prod']);
    expect((await get()).apps).toHaveLength(2);
    feed.delete('web@prod');
    expect((await get()).apps).toHaveLength(1);
    // Every answer still passes the server's hooks (the secret mask) on its way out.
    expect(masks).toBe(6);
    await app.close();
  });
});
