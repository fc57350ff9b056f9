import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { notificationEvents } from '../config/schema.js';
import { commitLink } from '../hosted/index.js';
import { renderDelivery, resolveEvent } from '../notify/index.js';
import type { NotificationEvent } from '../promote/index.js';
import { toNotifyEvent } from './notifications.js';

/**
 * One event of each type with the facts docs/notifications.md shows; the documented payloads
 * are these, rendered (src/cli/notifications.test.ts checks that they still are).
 */
const REVISION = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const TIME = '2025-01-02T03:04:05.000Z';
const ARTIFACTS = [
  {
    kind: 'image' as const,
    name: 'payments',
    ref: 'ghcr.io/acme/payments',
    tag: '1.4.2',
    digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  },
];
const scope = { project: 'shop', app: 'payments', env: 'prod', time: TIME };

const EXAMPLE_EVENTS: readonly NotificationEvent[] = [
  {
    ...scope,
    type: 'sync.failed',
    message: 'sync of 1a2b3c4 failed: apply failed: Deployment/payments was refused: spec.replicas: Invalid value',
    revision: REVISION,
    actor: 'sluice',
    syncId: 812,
    trigger: 'revision',
    error: {
      code: 'PROVIDER_APPLY',
      message: 'apply failed: Deployment/payments was refused: spec.replicas: Invalid value',
      hint: 'Fix the manifest and commit again.',
      resource: 'Deployment/payments',
    },
  },
  {
    ...scope,
    type: 'drift.detected',
    message: 'drift: Deployment/payments spec.replicas is 2, Git says 3',
    actor: 'sluice',
  },
  {
    ...scope,
    type: 'promotion.awaiting-approval',
    message: '#42 Promote payments from staging to prod: payments=ghcr.io/acme/payments:1.4.2 waits for approval',
    revision: REVISION,
    promotionId: 42,
    artifacts: ARTIFACTS,
    actor: 'ci',
    fromEnv: 'staging',
    requestUrl: 'https://github.com/acme/shop-config/pull/17',
  },
  {
    ...scope,
    type: 'promoted',
    message:
      'Promote payments from staging to prod: payments=ghcr.io/acme/payments:1.4.2 (#42): synced and verified in prod',
    revision: REVISION,
    artifacts: ARTIFACTS,
    actor: 'ci',
    syncId: 815,
    verificationId: 97,
    promotionId: 42,
    fromEnv: 'staging',
  },
  {
    ...scope,
    type: 'rolled-back',
    message: 'Roll back payments in prod: undo 1a2b3c4 "Promote payments …" (verification failed after sync #815)',
    revision: REVISION,
    artifacts: ARTIFACTS,
    actor: 'sluice',
  },
  {
    ...scope,
    type: 'promotion.rejected',
    message:
      '#42 Promote payments from staging to prod: payments=ghcr.io/acme/payments:1.4.2: rejected by alice: not on a Friday',
    promotionId: 42,
    artifacts: ARTIFACTS,
    actor: 'alice',
    fromEnv: 'staging',
    details: { author: 'ci', comment: 'not on a Friday' },
  },
  {
    ...scope,
    type: 'verification.failed',
    message: 'verification failed after sync of 1a2b3c4: version: expected 1.4.2, got 1.4.1',
    revision: REVISION,
    artifacts: ARTIFACTS,
    actor: 'sluice',
    syncId: 815,
    verificationId: 97,
    details: { failedChecks: [{ name: 'version', message: 'expected 1.4.2, got 1.4.1' }] },
  },
  {
    ...scope,
    type: 'change.unapproved',
    message:
      '1a2b3c4 by mallory changes protected environment prod without an approved promotion request: Bump payments',
    revision: REVISION,
    artifacts: ARTIFACTS,
    actor: 'mallory',
    details: {
      reason: 'changes protected environment prod without an approved promotion request',
      changeId: 311,
    },
  },
  {
    ...scope,
    type: 'digest.held',
    message:
      'payments sha256:9f86d081884c is held in prod: verification failed after sync #815 (version: expected 1.4.2, got 1.4.1)',
    revision: REVISION,
    artifacts: ARTIFACTS,
    actor: 'sluice',
    syncId: 815,
    verificationId: 97,
    details: {
      digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      reason: 'verification failed after sync #815 (version: expected 1.4.2, got 1.4.1)',
    },
  },
];

const EXAMPLE_CONTEXT = {
  id: '5f0c6a8e-1f5e-4a44-9a57-3f3a3c6c9e11',
  dashboardUrl: 'https://sluice.example.com',
  remoteUrl: 'git@github.com:acme/shop-config.git',
};

/** The generic webhook body of an event, as a sink receives it. */
function payload(event: NotificationEvent): unknown {
  const commitUrl = event.revision ? commitLink(EXAMPLE_CONTEXT.remoteUrl, event.revision) : undefined;
  const resolved = resolveEvent(toNotifyEvent(event, commitUrl), {
    id: EXAMPLE_CONTEXT.id,
    project: 'shop',
    dashboardUrl: EXAMPLE_CONTEXT.dashboardUrl,
    now: new Date(0),
  });
  return JSON.parse(renderDelivery({ type: 'webhook' }, resolved).body);
}

/** The JSON blocks of docs/notifications.md marked `<!-- payload: <type> -->`, by event type. */
function documented(): Map<string, unknown> {
  const text = readFileSync(new URL('../../docs/notifications.md', import.meta.url), 'utf8');
  const out = new Map<string, unknown>();
  for (const m of text.matchAll(/<!-- payload: ([a-z.-]+) -->\s*```json\n([\s\S]*?)```/g))
    out.set(m[1]!, JSON.parse(m[2]!));
  return out;
}

describe('the documented notification payloads', () => {
  const docs = documented();

  it('documents one payload per event type a sink can subscribe to', () => {
    expect([...docs.keys()].sort()).toEqual([...notificationEvents].sort());
    expect(EXAMPLE_EVENTS.map((e) => e.type).sort()).toEqual([...notificationEvents].sort());
  });

  for (const event of EXAMPLE_EVENTS) {
    it(`${event.type}: the payload built from the example facts is the documented one`, () => {
      expect(payload(event)).toEqual(docs.get(event.type));
    });
  }

  it('every payload carries the fields receivers correlate on', () => {
    for (const event of EXAMPLE_EVENTS) {
      const body = payload(event) as Record<string, unknown>;
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
      expect(body.actor).toEqual(expect.any(String));
    }
  });
});
