import { NotifyError } from './errors.js';
import { parseRetryAfter } from './retry.js';
import type { Sink } from './sink.js';

export type AttemptResult =
  { ok: true; status: number } | { ok: false; retryable: boolean; retryAfterMs?: number; error: NotifyError };

/** Longest part of a response body kept for an error message (Slack answers e.g. `invalid_payload`). */
const BODY_EXCERPT = 300;

/**
 * One POST of a JSON body to a sink, bounded by the sink's timeout (headers and body both).
 * Never throws: every outcome is classified so the caller can decide to retry.
 */
export async function attempt(
  fetchFn: typeof fetch,
  sink: Sink,
  body: string,
  headers: Record<string, string>,
  stop: AbortSignal,
): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(sink.timeoutMs);
  const signal = AbortSignal.any([timeout, stop]);
  try {
    const res = await fetchFn(sink.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      signal,
      redirect: 'error', // a redirect could carry the body (and the secret path) somewhere else
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true, status: res.status };
    return classify(sink, res.status, text, res.headers.get('retry-after'));
  } catch (e) {
    if (stop.aborted) {
      return {
        ok: false,
        retryable: false,
        error: new NotifyError('NOTIFY_CLOSED', `notification to sink "${sink.name}" abandoned: the notifier closed`),
      };
    }
    if (timeout.aborted) {
      return {
        ok: false,
        retryable: true,
        error: new NotifyError(
          'NOTIFY_TIMEOUT',
          `sink "${sink.name}" (${sink.origin}) did not answer within ${sink.timeoutMs} ms`,
          {
            hint: 'Check that the receiver is up and answers quickly; raise the sink timeout if it is slow by design.',
          },
        ),
      };
    }
    return {
      ok: false,
      retryable: true,
      error: new NotifyError(
        'NOTIFY_UNREACHABLE',
        `cannot reach sink "${sink.name}" (${sink.origin}): ${sink.scrub(networkReason(e))}`,
        {
          hint: 'Check the URL, DNS and any proxy or firewall between Sluice and the receiver.',
        },
      ),
    };
  }
}

function classify(sink: Sink, status: number, text: string, retryAfter: string | null): AttemptResult {
  const excerpt = sink.scrub(text.trim().slice(0, BODY_EXCERPT));
  const said = excerpt ? `: ${excerpt}` : '';
  if (status === 429) {
    return {
      ok: false,
      retryable: true,
      retryAfterMs: parseRetryAfter(retryAfter),
      error: new NotifyError(
        'NOTIFY_RATE_LIMITED',
        `sink "${sink.name}" (${sink.origin}) is rate limiting (HTTP 429)${said}`,
        {
          status,
          hint: 'Send fewer events to this sink (narrow events or environments), or ask the receiver for a higher limit.',
        },
      ),
    };
  }
  // 408 and 5xx are the receiver's trouble and usually pass; other 4xx will not change on retry.
  const retryable = status >= 500 || status === 408;
  return {
    ok: false,
    retryable,
    retryAfterMs: retryable ? parseRetryAfter(retryAfter) : undefined,
    error: new NotifyError('NOTIFY_HTTP', `sink "${sink.name}" (${sink.origin}) answered HTTP ${status}${said}`, {
      status,
      hint: hintFor(sink, status),
    }),
  };
}

function hintFor(sink: Sink, status: number): string {
  if (status >= 500 || status === 408)
    return 'The receiver failed; Sluice retried with backoff. Check the receiver’s health.';
  if (sink.type === 'slack') {
    // Slack's documented incoming-webhook errors: 400 invalid_payload, 403 action_prohibited,
    // 404 channel_not_found / no_service, 410 channel_is_archived.
    if (status === 404 || status === 410)
      return 'The Slack webhook was revoked or its channel is gone; create a new incoming webhook and update the URL.';
    if (status === 403) return 'The Slack workspace forbids this webhook from posting; ask a Slack admin.';
    if (status === 400) return 'Slack refused the message format; report it as a Sluice bug with the event type.';
  }
  if (status === 401 || status === 403)
    return 'The receiver refused the request; check the credentials carried in the URL.';
  if (status === 404 || status === 410) return 'Nothing listens at that URL any more; update the sink URL.';
  return 'The receiver refused the payload; check what it expects against docs/notifications.md.';
}

function networkReason(e: unknown): string {
  // Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is the cause.
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'request failed'} (${cause})` : (err.message ?? String(e));
}
