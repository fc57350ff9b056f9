import type { Sink } from './sink.js';
import { slackMessage } from './slack.js';
import type { ResolvedEvent } from './types.js';

export interface Rendered {
  body: string;
  headers: Record<string, string>;
}

/**
 * The request a sink receives for an event. The generic webhook body is the resolved event
 * itself, documented in docs/notifications.md; treat its fields as a public contract.
 */
export function render(sink: Pick<Sink, 'type'>, event: ResolvedEvent): Rendered {
  const headers = {
    'user-agent': 'Sluice-Notify/1',
    'x-sluice-event': event.type,
    // Same id on every retry, so receivers can drop duplicates after a timeout that did arrive.
    'x-sluice-delivery': event.id,
  };
  if (sink.type === 'slack') return { body: JSON.stringify(slackMessage(event)), headers };
  const body = {
    id: event.id,
    type: event.type,
    project: event.project,
    app: event.app,
    env: event.env,
    revision: event.revision,
    message: event.message,
    url: event.url,
    time: event.time,
    actor: event.actor,
    artifacts: event.artifacts,
    links: event.links,
    ids: event.ids,
    details: event.details,
  };
  return { body: JSON.stringify(body), headers };
}
