import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/hosted-fakes/webhook-receiver.js';
import { createNotifier } from './notifier.js';
import type { DeliveryFailure, NotificationSpec, NotifierConfig, NotifyLog } from './types.js';

const SECRET_PATH = '/services/T000/B000/s3cr3tT0ken';
const fast = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 5_000 };

function recordingLog(): NotifyLog & { lines: string[] } {
  const lines: string[] = [];
  const rec = (data: object, msg: string) => void lines.push(`${msg} ${JSON.stringify(data)}`);
  return { lines, warn: rec, info: rec, debug: rec };
}

function sink(partial: Partial<NotificationSpec> & Pick<NotificationSpec, 'type'>): NotificationSpec {
  return { name: 'ops', events: ['sync.failed'], timeout: '2s', ...partial };
}

let receivers: WebhookReceiver[] = [];
async function receiver(options?: { slack?: boolean }): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(options);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});

function setup(config: Omit<NotifierConfig, 'project'>) {
  const log = recordingLog();
  const failures: DeliveryFailure[] = [];
  const notifier = createNotifier(
    { project: 'shop', retry: fast, ...config },
    { log, onDeliveryFailed: (f) => failures.push(f), random: () => 0.5 },
  );
  return { notifier, log, failures };
}

const failed = {
  type: 'sync.failed',
  app: 'payments',
  env: 'prod',
  revision: '0123456789abcdef0123',
  message: 'apply failed: Deployment/payments <refused>',
} as const;

describe('notifier', () => {
  it('POSTs the documented JSON body and headers to a webhook sink', async () => {
    const r = await receiver();
    const { notifier } = setup({
      sinks: [sink({ type: 'webhook', url: `${r.url}/hook` })],
      dashboardUrl: 'https://sluice.example.com/',
    });
    notifier.notify({ ...failed, syncId: 7, details: { trigger: 'revision' }, time: '2025-01-02T03:04:05.000Z' });
    expect(await notifier.flush(5_000)).toBe(true);
    const [req] = r.requests;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hook');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.headers['x-sluice-event']).toBe('sync.failed');
    const body = req!.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'id',
      'type',
      'project',
      'app',
      'env',
      'revision',
      'message',
      'url',
      'time',
      'actor',
      'artifacts',
      'links',
      'ids',
      'details',
    ]);
    expect(body).toMatchObject({
      type: 'sync.failed',
      project: 'shop',
      app: 'payments',
      env: 'prod',
      revision: failed.revision,
      message: failed.message,
      url: 'https://sluice.example.com/#/apps/payments/envs/prod',
      time: '2025-01-02T03:04:05.000Z',
      actor: null,
      artifacts: [],
      links: { dashboard: 'https://sluice.example.com/#/apps/payments/envs/prod', commit: null, request: null },
      ids: { syncId: 7, promotionId: null, verificationId: null },
      details: { trigger: 'revision' },
    });
    expect(req!.headers['x-sluice-delivery']).toBe(body.id);
    expect(notifier.stats()).toMatchObject({ delivered: 1, failed: 0, queued: 0, inFlight: 0 });
  });

  it('sends Slack incoming-webhook messages: text plus Block Kit blocks, mrkdwn escaped', async () => {
    const r = await receiver({ slack: true });
    const { notifier, failures } = setup({
      sinks: [sink({ type: 'slack', urlFrom: { env: 'SLACK_URL' } })],
      env: { SLACK_URL: `${r.url}${SECRET_PATH}` },
      dashboardUrl: 'https://sluice.example.com',
    });
    notifier.notify({ ...failed, details: { code: 'PROVIDER_APPLY', nested: { skipped: true } } });
    await notifier.flush(5_000);
    expect(failures).toEqual([]);
    const msg = r.requests[0]!.json as { text: string; blocks: Array<Record<string, unknown>> };
    expect(msg.text).toContain('Sync failed: payments in prod');
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Sync failed: payments in prod', emoji: true },
    });
    expect((msg.blocks[1]!.text as { text: string }).text).toContain('Deployment/payments &lt;refused&gt;');
    const fields = (msg.blocks[2]!.fields as Array<{ type: string; text: string }>).map((f) => f.text);
    expect(fields).toEqual([
      '*Project*\nshop',
      '*App*\npayments',
      '*Environment*\nprod',
      '*Revision*\n`0123456789ab`',
      '*code*\nPROVIDER_APPLY',
    ]);
    const context = msg.blocks[3]!.elements as Array<{ type: string; text: string }>;
    expect(context[0]).toEqual({
      type: 'mrkdwn',
      text: '<https://sluice.example.com/#/apps/payments/envs/prod|Open in Sluice>',
    });
    expect(context[1]!.text).toMatch(/^<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|/);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    const r = await receiver();
    r.script({ status: 500, body: 'boom' }, { status: 503 });
    const { notifier, failures } = setup({ sinks: [sink({ type: 'webhook', url: r.url })] });
    notifier.notify(failed);
    expect(await notifier.flush(5_000)).toBe(true);
    expect(r.requests).toHaveLength(3);
    expect(failures).toEqual([]);
    // Every attempt carries the same delivery id so receivers can de-duplicate.
    expect(new Set(r.requests.map((q) => q.headers['x-sluice-delivery'])).size).toBe(1);
  });

  it('honours a 429 Retry-After', async () => {
    const r = await receiver({ slack: true });
    r.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    const { notifier, failures } = setup({ sinks: [sink({ type: 'slack', url: r.url })] });
    notifier.notify(failed);
    expect(await notifier.flush(5_000)).toBe(true);
    expect(failures).toEqual([]);
    const arrivals = r.requests.map((q) => q.at);
    expect(arrivals).toHaveLength(2);
    // The backoff alone would wait ~10 ms; the header asked for a second.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
  });

  it('gives up after max attempts, reports the failure and never shows the secret URL', async () => {
    const r = await receiver();
    r.script(...Array.from({ length: 3 }, () => ({ status: 500, body: `rollup_error at ${SECRET_PATH}` })));
    const { notifier, failures, log } = setup({
      sinks: [sink({ type: 'slack', urlFrom: { env: 'HOOK' } })],
      env: { HOOK: `${r.url}${SECRET_PATH}` },
    });
    notifier.notify(failed);
    await notifier.flush(5_000);
    expect(r.requests).toHaveLength(3);
    expect(failures).toHaveLength(1);
    const f = failures[0]!;
    expect(f).toMatchObject({ sink: 'ops', sinkType: 'slack', attempts: 3 });
    expect(f.error.code).toBe('NOTIFY_HTTP');
    expect(f.error.status).toBe(500);
    expect(f.error.hint).toBeTruthy();
    const shown = [f.error.message, f.error.hint, JSON.stringify(f.error), ...log.lines].join('\n');
    expect(shown).not.toContain('s3cr3tT0ken');
    expect(notifier.stats()).toMatchObject({ failed: 1, delivered: 0 });
  });

  it('does not retry answers that will not change (Slack 404 channel_not_found)', async () => {
    const r = await receiver();
    r.script({ status: 404, body: 'channel_not_found' });
    const { notifier, failures } = setup({ sinks: [sink({ type: 'slack', url: r.url })] });
    notifier.notify(failed);
    await notifier.flush(5_000);
    expect(r.requests).toHaveLength(1);
    expect(failures[0]!.error.message).toContain('channel_not_found');
    expect(failures[0]!.error.hint).toMatch(/revoked|channel/);
  });

  it('returns from notify() at once while the sink hangs, and times the attempt out', async () => {
    const r = await receiver();
    r.script('hang');
    const { notifier, failures } = setup({
      sinks: [sink({ type: 'webhook', url: r.url, timeout: '200ms' })],
      retry: { ...fast, maxAttempts: 1 },
    });
    // Nothing to await, and all 20 are still pending when the calls return: none waited for the sink.
    const returned = Array.from({ length: 20 }, () => notifier.notify(failed));
    expect(returned.every((v) => v === undefined)).toBe(true);
    const pending = notifier.stats();
    expect(pending.queued + pending.inFlight).toBe(20);
    expect(pending).toMatchObject({ delivered: 0, failed: 0 });
    await r.waitFor(1);
    expect(notifier.stats().inFlight).toBe(1);
    await notifier.flush(10_000);
    expect(failures[0]!.error.code).toBe('NOTIFY_TIMEOUT');
    expect(notifier.stats()).toMatchObject({ failed: 1, delivered: 19 });
  });

  it('bounds each sink queue and counts what it drops', async () => {
    const r = await receiver();
    r.script('hang');
    const { notifier, log } = setup({
      sinks: [sink({ type: 'webhook', url: r.url, timeout: '100ms' })],
      queueLimit: 2,
      retry: { ...fast, maxAttempts: 1 },
    });
    for (let i = 0; i < 5; i++) notifier.notify(failed);
    expect(notifier.stats().dropped).toBe(3);
    expect(log.lines.filter((l) => l.startsWith('notification queue full'))).toHaveLength(1);
    await notifier.flush(5_000);
    expect(notifier.stats()).toMatchObject({ failed: 1, delivered: 1, dropped: 3 });
  });

  it('sends only the events and environments a sink asked for', async () => {
    const all = await receiver();
    const prodDrift = await receiver();
    const { notifier } = setup({
      sinks: [
        sink({ name: 'all', type: 'webhook', url: all.url, events: ['sync.failed', 'promoted'] }),
        sink({
          name: 'prod-drift',
          type: 'webhook',
          url: prodDrift.url,
          events: ['drift.detected'],
          environments: ['prod'],
        }),
      ],
    });
    notifier.notify({ type: 'drift.detected', app: 'a', env: 'dev', message: 'drift' });
    notifier.notify({ type: 'drift.detected', app: 'a', env: 'prod', message: 'drift' });
    notifier.notify({ type: 'promoted', app: 'a', env: 'staging', message: 'promoted' });
    notifier.notify({ type: 'rolled-back', app: 'a', env: 'prod', message: 'rolled back' });
    // Project-wide: no environment, so an environment filter excludes it.
    notifier.notify({ type: 'sync.failed', message: 'source unreachable' });
    notifier.notify({ type: 'drift.detected', message: 'project-wide drift' });
    await notifier.flush(5_000);
    expect(all.requests.map((q) => (q.json as { type: string }).type)).toEqual(['promoted', 'sync.failed']);
    expect(all.requests[1]!.json).toMatchObject({ app: null, env: null, url: null });
    expect(prodDrift.requests.map((q) => (q.json as { env: string }).env)).toEqual(['prod']);
  });

  it('refuses a sink whose URL variable is unset, naming the variable', () => {
    expect(() => setup({ sinks: [sink({ type: 'slack', urlFrom: { env: 'NOPE_URL' } })], env: {} })).toThrow(
      expect.objectContaining({
        code: 'NOTIFY_URL_MISSING',
        location: expect.objectContaining({ field: 'spec.notifications[0].urlFrom.env' }),
      }),
    );
  });

  it('reports details JSON cannot hold instead of crashing the queue', async () => {
    const r = await receiver();
    const { notifier, failures } = setup({ sinks: [sink({ type: 'webhook', url: r.url })] });
    notifier.notify({ ...failed, details: { big: 1n } });
    notifier.notify(failed);
    await notifier.flush(5_000);
    expect(failures.map((f) => f.error.code)).toEqual(['NOTIFY_PAYLOAD']);
    expect(r.requests).toHaveLength(1);
  });

  it('refuses an environment filter naming an environment the project does not have', () => {
    expect(() =>
      setup({
        sinks: [sink({ type: 'webhook', url: 'https://x.example/h', environments: ['prdo'] })],
        environments: ['dev', 'prod'],
      }),
    ).toThrow(expect.objectContaining({ code: 'NOTIFY_SINK_INVALID', hint: 'Use one of: dev, prod.' }));
  });

  it('close() abandons what cannot be delivered in time', async () => {
    const r = await receiver();
    r.script('hang');
    const { notifier, failures } = setup({ sinks: [sink({ type: 'webhook', url: r.url, timeout: '30s' })] });
    notifier.notify(failed);
    notifier.notify(failed);
    await r.waitFor(1);
    await notifier.close(100);
    expect(failures.map((f) => f.error.code)).toEqual(['NOTIFY_CLOSED']);
    expect(notifier.stats()).toMatchObject({ dropped: 1, inFlight: 0, queued: 0 });
    notifier.notify(failed);
    expect(notifier.stats().queued).toBe(0);
  });
});
