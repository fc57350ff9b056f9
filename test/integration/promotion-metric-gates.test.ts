import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLedger, parseArtifactArg, promote, PromotionService } from '../../src/promote/index.js';
import { Source } from '../../src/source/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createConfigRepo, type ConfigRepo } from '../support/config-repo.js';
import { freePortBlock } from '../support/sluice.js';

/**
 * A promotion committed directly (no request rules on prod) keeps the verdict of its metric gate
 * in the ledger, and one a metric gate refuses leaves a `promote.blocked` event. Real git and a
 * real store; Prometheus is an HTTP server answering /api/v1/query in the format Prometheus
 * documents (https://prometheus.io/docs/prometheus/latest/querying/api/), the error rate per
 * version set by the test. test/suites/metrics does the same against a real Prometheus.
 */
let dir: string;
let store: Store;
let repo: ConfigRepo;
let svc: PromotionService;
let prometheus: Server;
/** version → the error rate the fixture answers for it. */
const errorRates = new Map<string, string>();
const asked: string[] = [];

const query = (version: string) => `error_rate{env="dev",version="${version}"}`;

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-metric-promote-'));
  prometheus = createServer((req, res) => {
    void body(req).then((text) => {
      const q = new URLSearchParams(text).get('query') ?? '';
      asked.push(q);
      const version = /version="([^"]+)"/.exec(q)?.[1] ?? '';
      const rate = errorRates.get(version);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: rate === undefined ? [] : [{ metric: { env: 'dev', version }, value: [Date.now() / 1000, rate] }],
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => prometheus.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
  repo = createConfigRepo(join(dir, 'repo'), {
    basePort: await freePortBlock(20),
    prodRules: `      prometheus: { url: "${url}" }
      promotion:
        from: dev
        gates:
          - name: dev-error-rate
            prometheus: { query: 'error_rate{env="{{from}}",version="{{version}}"}', op: '<', value: 0.05 }
`,
  });
  store = openStore(join(dir, 'store'));
  const source = await Source.open({ url: repo.url }, { dataDir: join(dir, 'data') });
  svc = new PromotionService({ source, store, push: true });
});

afterAll(async () => {
  await store?.close();
  await new Promise((r) => prometheus?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the controller records once dev ran the build and is healthy: promote's source gate reads it. */
async function syncedInDev(revision: string, arg: string): Promise<void> {
  const s = await store.startSync({
    project: 'hosted',
    app: 'hello',
    env: 'dev',
    revision,
    trigger: 'revision',
    reason: 'test',
    dryRun: false,
    startedAt: new Date().toISOString(),
  });
  await store.ledger.recordApplied({
    syncId: s.id,
    project: 'hosted',
    app: 'hello',
    env: 'dev',
    revision,
    artifacts: [parseArtifactArg(arg)],
  });
  await store.finishSync(s.id, { result: 'Succeeded', health: 'Healthy', timings: {} });
}

describe('metric gates of a direct promotion, in the ledger', () => {
  const ctx = { app: 'hello', actor: 'ci' };

  it('a good build promoted directly records the gate it passed, with query and value, on its ledger change', async () => {
    const arg = repo.build('1.1.0');
    errorRates.set('1.1.0', '0.0125');
    const dev = await svc.setImage({ ...ctx, env: 'dev', artifacts: [parseArtifactArg(arg)] });
    await syncedInDev(dev.revision!, arg);
    const out = await promote(svc, { ...ctx, env: 'prod' });
    expect(out.mode).toBe('committed');
    const entry = (await loadLedger(store, { project: 'hosted', app: 'hello', env: 'prod' })).find(
      (e) => e.change.revision === out.revision,
    );
    expect(entry?.promotion).toBeUndefined();
    expect(entry?.change.gates).toContainEqual({
      gate: 'metric',
      name: 'dev-error-rate',
      passed: true,
      message: 'dev-error-rate: 0.0125 < 0.05',
      query: query('1.1.0'),
      value: 0.0125,
    });
    expect(entry?.change.gates?.every((g) => g.passed)).toBe(true);
    // The verdict lives in the ledger, not in the commit: trailers say what changed, not how it was judged.
    const message = repo.git('log', '-1', '--format=%B', out.revision!);
    expect(message).not.toContain('dev-error-rate');
    expect(message).not.toContain('error_rate');
    // The set-image into dev had no metric gate to pass.
    const devEntry = (await loadLedger(store, { project: 'hosted', app: 'hello', env: 'dev' })).at(-1);
    expect(devEntry?.change.gates?.some((g) => g.gate === 'metric')).toBe(false);
  });

  it('a bad build refused by the gate leaves a promote.blocked event with the query and value, and no change', async () => {
    const arg = repo.build('1.2.0');
    errorRates.set('1.2.0', '0.5');
    const dev = await svc.setImage({ ...ctx, env: 'dev', artifacts: [parseArtifactArg(arg)] });
    await syncedInDev(dev.revision!, arg);
    const before = repo.git('rev-parse', 'main');
    const refused = await promote(svc, { ...ctx, env: 'prod' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'PROMOTE_GATE_FAILED', retry: true });
    expect(repo.git('rev-parse', 'main')).toBe(before);
    const blocked = await store.listEvents({ app: 'hello', env: 'prod', type: 'promote.blocked' });
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ severity: 'warning', project: 'hosted' });
    expect(blocked[0]!.message).toContain('dev-error-rate');
    expect(blocked[0]!.data).toMatchObject({
      actor: 'ci',
      fromEnv: 'dev',
      artifacts: [parseArtifactArg(arg)],
      gates: expect.arrayContaining([
        {
          gate: 'metric',
          name: 'dev-error-rate',
          passed: false,
          message: 'dev-error-rate: 0.5 not < 0.05',
          query: query('1.2.0'),
          value: 0.5,
        },
      ]),
    });
    // A dry run asks the same question but refuses nothing, so it records nothing.
    await promote(svc, { ...ctx, env: 'prod', dryRun: true });
    expect(await store.listEvents({ app: 'hello', env: 'prod', type: 'promote.blocked' })).toHaveLength(1);
  });
});
