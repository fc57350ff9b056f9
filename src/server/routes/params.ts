import { z } from 'zod';
import { findApp, findEnvironment, parseDuration, type Project } from '../../config/index.js';
import { NotFoundError, ValidationError } from '../../errors/index.js';

/** `2026-05-01T12:00:00Z`, `2026-05-01`, or a duration back from now (`30d`, `12h`, `90m`). */
export function parseTime(text: string | undefined, fallback: Date, now = new Date()): Date {
  if (!text) return fallback;
  const days = /^(\d+)d$/.exec(text);
  if (days) return new Date(now.getTime() - Number(days[1]) * 86_400_000);
  if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return new Date(now.getTime() - parseDuration(text));
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw new ValidationError('BAD_TIME', `"${text}" is not a time`, {
      hint: 'Use an ISO time (2026-05-01T12:00:00Z), a date, or an age such as 30d or 12h.',
    });
  }
  return new Date(t);
}

export const idParam = z.object({ id: z.coerce.number().int().min(1) });

/**
 * An app or environment named in a query must exist in sluice.yaml: a typo answers 404, not an
 * empty list that reads as "nothing happened there". Before the first revision is loaded
 * nothing is known, and nothing is refused.
 */
export function knownNames(
  project: Project | undefined,
  q: { app?: string | undefined; env?: string | undefined },
): void {
  if (!project) return;
  if (q.app !== undefined && !findApp(project, q.app)) {
    throw new NotFoundError('APP_NOT_FOUND', `no app "${q.app}" in sluice.yaml`, {
      hint: `Known apps: ${project.apps.map((x) => x.name).join(', ') || 'none'}.`,
    });
  }
  if (q.env !== undefined && !findEnvironment(project, q.env)) {
    throw new NotFoundError('ENV_NOT_FOUND', `no environment "${q.env}" in sluice.yaml`, {
      hint: `Known environments: ${project.environments.map((x) => x.name).join(', ')}.`,
    });
  }
}
