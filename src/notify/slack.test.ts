import { describe, expect, it } from 'vitest';
import { slackMessage } from './slack.js';
import type { ResolvedEvent } from './types.js';

const base: ResolvedEvent = {
  id: 'd1',
  type: 'promoted',
  project: 'shop',
  app: 'payments',
  env: 'prod',
  revision: null,
  message: 'payments promoted',
  url: null,
  time: '2025-01-02T03:04:05.000Z',
  actor: null,
  artifacts: [],
  links: { dashboard: null, commit: null, request: null },
  ids: { syncId: null, promotionId: null, verificationId: null },
  details: {},
};

describe('slackMessage', () => {
  it('keeps within Block Kit limits', () => {
    const details = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(3000)]));
    const m = slackMessage({ ...base, app: 'a'.repeat(200), message: 'm'.repeat(5000), details });
    const [header, text, fields] = m.blocks as Array<{ text?: { text: string }; fields?: Array<{ text: string }> }>;
    expect(header!.text!.text.length).toBeLessThanOrEqual(150);
    expect(text!.text!.text.length).toBeLessThanOrEqual(3000);
    expect(fields!.fields!).toHaveLength(10);
    for (const f of fields!.fields!) expect(f.text.length).toBeLessThanOrEqual(2000);
    expect(m.text.length).toBeLessThanOrEqual(3000);
  });

  it('words project-wide events without app or environment', () => {
    const m = slackMessage({ ...base, type: 'sync.failed', app: null, env: null, message: 'source unreachable' });
    expect(m.text).toBe(':x: Sync failed — source unreachable');
    expect(m.blocks[2]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Project*\nshop' }] });
  });
});
