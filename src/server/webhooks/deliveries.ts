/**
 * What a delivery asks of Sluice, read from each sender's payload: a push to a branch (fetch
 * now if it is the followed one) or a review on a hosted request (read that request now).
 */
export type WebhookIntent =
  | { kind: 'push'; ref: string | undefined }
  | { kind: 'review'; backend: 'github' | 'gitlab'; requestId: string }
  | { kind: 'ping' }
  | { kind: 'other'; event: string };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): string | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? String(v) : typeof v === 'string' && /^\d+$/.test(v) ? v : undefined;

export function githubIntent(event: string, body: Json): WebhookIntent {
  if (event === 'ping') return { kind: 'ping' };
  if (event === 'push') return { kind: 'push', ref: str(body.ref) };
  if (event === 'pull_request_review' || event === 'pull_request' || event === 'pull_request_review_comment') {
    const n = num(obj(body.pull_request)?.number);
    if (n) return { kind: 'review', backend: 'github', requestId: n };
  }
  return { kind: 'other', event };
}

export function gitlabIntent(event: string, body: Json): WebhookIntent {
  if (event === 'Push Hook') return { kind: 'push', ref: str(body.ref) };
  if (event === 'Merge Request Hook') {
    const n = num(obj(body.object_attributes)?.iid);
    if (n) return { kind: 'review', backend: 'gitlab', requestId: n };
  }
  if (event === 'Note Hook') {
    const n = num(obj(body.merge_request)?.iid);
    if (n) return { kind: 'review', backend: 'gitlab', requestId: n };
  }
  return { kind: 'other', event };
}

/** The generic sender's body: `{ "ref": "refs/heads/main" }`, or anything (then it is a push to every branch). */
export function genericIntent(body: Json): WebhookIntent {
  return { kind: 'push', ref: str(body.ref) };
}
