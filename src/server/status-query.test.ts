import { describe, expect, it } from 'vitest';
import type { AppEnvStatus, ProjectStatus } from '../reconcile/index.js';
import { MAX_STATUS_PAGE, queryStatus, statusQuery } from './status-query.js';

/** 1,000 apps in 3 environments: the 3,000 app × environment the status API is sized for. */
const ENVS = ['dev', 'staging', 'prod'];
const SYNCS = ['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Stalled'] as const;
const HEALTHS = ['Healthy', 'Progressing', 'Degraded'] as const;

function project(): ProjectStatus {
  const apps: AppEnvStatus[] = [];
  for (let i = 0; i < 1000; i++)
    for (const [e, env] of ENVS.entries())
      apps.push({
        app: `app-${String(i).padStart(4, '0')}`,
        env,
        target: 'local',
        provider: 'process',
        sync: SYNCS[(i + e) % SYNCS.length]!,
        health: HEALTHS[i % HEALTHS.length]!,
        resources: [],
        autoSync: true,
        selfHeal: false,
      });
  return {
    project: 'big',
    source: { url: 'file:///repo', branch: 'main' },
    environments: ENVS.map((name) => ({ name, target: 'local', provider: 'process', protected: false })),
    apps,
  };
}

const full = project();
const key = (a: AppEnvStatus) => `${a.app}/${a.env}`;
const q = (query: Record<string, string>) => queryStatus(full, statusQuery.parse(query));

describe('GET /api/v1/status at 3,000 app × environment', () => {
  it('answers every scope, unpaged, to a client that asks for no page', () => {
    const all = q({});
    expect(all.apps).toHaveLength(3000);
    expect(all.page).toBeUndefined();
    expect(all.environments).toEqual(full.environments);
  });

  it('pages through every scope once, in order, with a next offset until the last page', () => {
    const seen: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const res = q({ limit: '250', offset: String(offset) });
      expect(res.page).toMatchObject({ offset, limit: 250, total: 3000 });
      seen.push(...res.apps.map(key));
      offset = res.page!.next;
      pages++;
    }
    expect(pages).toBe(12);
    expect(seen).toEqual(full.apps.map(key));
    expect(new Set(seen).size).toBe(3000);
  });

  it('a page past the end is empty, with the total', () => {
    const res = q({ limit: '10', offset: '3000' });
    expect(res.apps).toEqual([]);
    expect(res.page).toEqual({ offset: 3000, limit: 10, total: 3000 });
  });

  it('filters by app, by environment, by sync status or health, and pages the matches', () => {
    expect(q({ app: 'app-0042' }).apps.map(key)).toEqual(['app-0042/dev', 'app-0042/staging', 'app-0042/prod']);
    const prod = q({ env: 'prod' }).apps;
    expect(prod).toHaveLength(1000);
    expect(prod.every((a) => a.env === 'prod')).toBe(true);

    const failed = q({ status: 'Failed' }).apps;
    expect(failed.map(key)).toEqual(full.apps.filter((a) => a.sync === 'Failed').map(key));
    expect(failed).toHaveLength(600);
    const degraded = q({ status: 'degraded', env: 'dev' }).apps;
    expect(degraded.map(key)).toEqual(full.apps.filter((a) => a.health === 'Degraded' && a.env === 'dev').map(key));

    const first = q({ status: 'Failed', env: 'prod', limit: '50' });
    const wanted = full.apps.filter((a) => a.sync === 'Failed' && a.env === 'prod');
    expect(first.page).toEqual({ offset: 0, limit: 50, total: wanted.length, next: 50 });
    expect(first.apps.map(key)).toEqual(wanted.slice(0, 50).map(key));
  });

  it('refuses a status that is neither a sync status nor a health, and a page too large', () => {
    expect(() => statusQuery.parse({ status: 'Green' })).toThrow(/status must be one of/);
    expect(() => statusQuery.parse({ limit: String(MAX_STATUS_PAGE + 1) })).toThrow();
    expect(() => statusQuery.parse({ page: '2' })).toThrow();
  });
});
