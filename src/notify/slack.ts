import type { NotificationEventType, ResolvedEvent } from './types.js';

/**
 * A Slack incoming-webhook message: `text` (the notification and fallback line) plus Block
 * Kit `blocks`. Limits from Slack's Block Kit reference: header text 150 characters, section
 * text 3000, section fields at most 10 of 2000 each, context at most 10 elements.
 */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type TextObject = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: TextObject & { type: 'plain_text' } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

const TITLES: Record<NotificationEventType, { emoji: string; title: string }> = {
  'sync.failed': { emoji: ':x:', title: 'Sync failed' },
  'drift.detected': { emoji: ':warning:', title: 'Drift detected' },
  'promotion.awaiting-approval': { emoji: ':hourglass_flowing_sand:', title: 'Promotion awaiting approval' },
  promoted: { emoji: ':rocket:', title: 'Promoted' },
  'rolled-back': { emoji: ':rewind:', title: 'Rolled back' },
  'promotion.rejected': { emoji: ':no_entry:', title: 'Promotion rejected' },
  'verification.failed': { emoji: ':rotating_light:', title: 'Verification failed' },
  'change.unapproved': { emoji: ':warning:', title: 'Unapproved change' },
  'digest.held': { emoji: ':octagonal_sign:', title: 'Digest held' },
};

const MAX_FIELDS = 10;

export function slackMessage(event: ResolvedEvent): SlackMessage {
  const { emoji, title } = TITLES[event.type];
  const headline = `${title}${event.app ? `: ${event.app}` : ''}${event.env ? ` in ${event.env}` : ''}`;
  const fields: TextObject[] = [field('Project', event.project)];
  if (event.app) fields.push(field('App', event.app));
  if (event.env) fields.push(field('Environment', event.env));
  if (event.revision) fields.push(mrkdwn(`*Revision*\n\`${escape(event.revision.slice(0, 12))}\``));
  if (event.actor) fields.push(field('Actor', event.actor));
  if (event.artifacts.length) fields.push(field('Artifacts', event.artifacts.map(artifactText).join(', ')));
  for (const [key, value] of Object.entries(event.details)) {
    if (fields.length >= MAX_FIELDS) break;
    const shown = showValue(value);
    if (shown !== undefined) fields.push(field(key, shown));
  }
  const epoch = Math.floor(Date.parse(event.time) / 1000);
  // Slack shows <!date^…> in each reader's time zone; the text after | is the fallback.
  const context = [
    mrkdwn(
      Number.isFinite(epoch)
        ? `<!date^${epoch}^{date_short_pretty} {time_secs}|${escape(event.time)}>`
        : escape(event.time),
    ),
  ];
  if (event.links.commit) context.unshift(mrkdwn(`<${linkTarget(event.links.commit)}|Commit>`));
  if (event.url) context.unshift(mrkdwn(`<${linkTarget(event.url)}|Open in Sluice>`));
  return {
    text: truncate(`${emoji} ${headline} — ${event.message}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(`${headline}`, 150), emoji: true } },
      { type: 'section', text: mrkdwn(truncate(`${emoji} ${escape(event.message)}`, 3000)) },
      { type: 'section', fields },
      { type: 'context', elements: context },
    ],
  };
}

function artifactText(a: ResolvedEvent['artifacts'][number]): string {
  const digest = a.digest ? `@${a.digest.slice(0, 19)}` : '';
  return `${a.name}${a.tag ? `:${a.tag}` : ''}${digest}`;
}

function field(label: string, value: string): TextObject {
  return mrkdwn(truncate(`*${escape(label)}*\n${escape(value)}`, 2000));
}

function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text };
}

function showValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Slack's mrkdwn control characters, escaped as its formatting reference asks. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL inside `<url|label>` must not carry `|` or `>`, which would end the link early. */
function linkTarget(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
