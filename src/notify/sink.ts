import { parseDuration } from '../config/index.js';
import { NotifyError } from './errors.js';
import type { NotificationEventType, NotificationSpec, NotifyLog } from './types.js';

/** A configured destination, with its URL resolved. The URL is a secret: never log or show it. */
export interface Sink {
  name: string;
  type: NotificationSpec['type'];
  url: string;
  /** Scheme and host only: safe to log. */
  origin: string;
  timeoutMs: number;
  events: ReadonlySet<NotificationEventType>;
  environments: ReadonlySet<string> | undefined;
  /** Removes every form of the URL from text. */
  scrub(text: string): string;
}

export function resolveSinks(
  specs: readonly NotificationSpec[],
  env: NodeJS.ProcessEnv,
  log: NotifyLog,
  knownEnvironments?: readonly string[],
): Sink[] {
  return specs.map((spec, i) => {
    const field = `spec.notifications[${i}]`;
    spec.environments?.forEach((name, j) => {
      if (knownEnvironments && !knownEnvironments.includes(name)) {
        throw new NotifyError(
          'NOTIFY_SINK_INVALID',
          `notification sink "${spec.name}" names unknown environment "${name}"`,
          {
            field: `${field}.environments[${j}]`,
            hint: `Use one of: ${knownEnvironments.join(', ')}.`,
          },
        );
      }
    });
    let url = spec.url;
    if (spec.urlFrom) {
      url = env[spec.urlFrom.env]?.trim();
      if (!url) {
        throw new NotifyError(
          'NOTIFY_URL_MISSING',
          `notification sink "${spec.name}" takes its URL from $${spec.urlFrom.env}, which is not set`,
          {
            field: `${field}.urlFrom.env`,
            hint: `Set ${spec.urlFrom.env} in the environment of the Sluice process, or remove the sink.`,
          },
        );
      }
    } else if (spec.type === 'slack') {
      // Allowed (local receivers, tests), but a Slack webhook URL in Git is a leaked credential.
      log.warn(
        { sink: spec.name },
        'Slack webhook URL is written in sluice.yaml; move it to an environment variable with urlFrom.env',
      );
    }
    const parsed = parseUrl(url);
    if (!parsed) {
      throw new NotifyError('NOTIFY_URL_MISSING', `notification sink "${spec.name}" has no valid http(s) URL`, {
        field: spec.urlFrom ? `${field}.urlFrom.env` : `${field}.url`,
        hint: spec.urlFrom ? `Put a full https:// URL in ${spec.urlFrom.env}.` : 'Use a full https:// URL.',
      });
    }
    return {
      name: spec.name,
      type: spec.type,
      url: parsed.href,
      origin: parsed.origin,
      timeoutMs: parseDuration(spec.timeout ?? '10s'),
      events: new Set(spec.events),
      environments: spec.environments ? new Set(spec.environments) : undefined,
      scrub: scrubberFor(parsed),
    };
  });
}

/** An environment filter excludes events that name no environment. */
export function wants(sink: Sink, type: NotificationEventType, env: string | undefined): boolean {
  if (!sink.events.has(type)) return false;
  return sink.environments === undefined || (env !== undefined && sink.environments.has(env));
}

function parseUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function scrubberFor(url: URL): (text: string) => string {
  // The path and query are where webhook secrets live (hooks.slack.com/services/T…/B…/secret).
  const hidden = `${url.origin}/***`;
  const forms = [url.href, url.href.replace(/\/$/, '')];
  const tails = [`${url.pathname}${url.search}`, url.pathname].filter((s) => s.length > 1);
  return (text) => {
    let out = text;
    for (const s of forms) out = out.split(s).join(hidden);
    for (const s of tails) out = out.split(s).join('/***');
    return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
  };
}
