import { describe, expect, it } from 'vitest';
import { StatusFeed, type StatusChange } from './status-feed.js';
import type { AppEnvStatus } from './status.js';

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

/** Resolves with the next batch a listener hears. */
const nextChange = (feed: StatusFeed) =>
  new Promise<StatusChange>((resolve) => {
    const off = feed.subscribe((c) => {
      off();
      resolve(c);
    });
  });

describe('the status feed', () => {
  it('keeps views in first-seen order and sends the changes of one turn as one batch', async () => {
    const feed = new StatusFeed();
    feed.set('web@dev', view('web', 'dev'));
    feed.set('web@prod', view('web', 'prod'));
    const change = nextChange(feed);
    feed.set('web@dev', view('web', 'dev', 'Syncing'));
    feed.set('web@dev', view('web', 'dev', 'Failed'));
    feed.set('api@dev', view('api', 'dev'));
    feed.delete('web@prod');
    expect(await change).toEqual({
      apps: [view('web', 'dev', 'Failed'), view('api', 'dev')],
      removed: [{ app: 'web', env: 'prod' }],
    });
    expect(feed.all().map((a) => `${a.app}@${a.env}`)).toEqual(['web@dev', 'api@dev']);
  });

  it('sends nothing for a view that did not change', async () => {
    const feed = new StatusFeed();
    feed.set('web@dev', view('web', 'dev'));
    const change = nextChange(feed);
    feed.set('web@dev', view('web', 'dev'));
    feed.set('api@dev', view('api', 'dev'));
    expect((await change).apps.map((a) => a.app)).toEqual(['api']);
  });
});
