// A webhook receiver for notification tests: records every request and answers from a script.
// In Slack mode it answers like a Slack incoming webhook, as documented at
//   https://api.slack.com/messaging/webhooks (200 with the body "ok")
//   https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
//     (400 invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived,
//      500 rollup_error)
//   https://api.slack.com/docs/rate-limits (429 Too Many Requests with Retry-After in seconds)
import type { ServerResponse } from 'node:http';
import { listen, type FakeRequest } from './http.js';

/** What to answer to one request; `hang` never answers (until the server closes). */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

export interface WebhookReceiver {
  url: string;
  requests: FakeRequest[];
  /** Answers for the next requests, in order; after they run out every request gets 200 ok. */
  script(...replies: Reply[]): void;
  /** Resolves once `n` requests arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<FakeRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { slack?: boolean } = {}): Promise<WebhookReceiver> {
  const requests: FakeRequest[] = [];
  const replies: Reply[] = [];
  const hanging: ServerResponse[] = [];
  let wake: (() => void) | undefined;

  const running = await listen((req, res) => {
    requests.push(req);
    wake?.();
    const reply = replies.shift();
    if (reply === 'hang') {
      hanging.push(res);
      return;
    }
    if (reply) {
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
      return;
    }
    if (options.slack && !isSlackMessage(req.json)) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('invalid_payload');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });

  return {
    url: running.url,
    requests,
    script: (...r) => void replies.push(...r),
    async waitFor(n, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return requests.slice(0, n);
    },
    async close() {
      for (const res of hanging) res.destroy();
      await running.close();
    },
  };
}

/** Slack requires `text` or `blocks`; blocks must be an array of objects with a `type`. */
function isSlackMessage(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const m = body as { text?: unknown; blocks?: unknown };
  if (m.blocks !== undefined) {
    if (!Array.isArray(m.blocks) || m.blocks.length > 50) return false;
    if (!m.blocks.every((b) => b && typeof b === 'object' && typeof (b as { type?: unknown }).type === 'string'))
      return false;
  }
  return typeof m.text === 'string' || Array.isArray(m.blocks);
}
