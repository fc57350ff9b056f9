import { z } from 'zod';
import { parseDuration } from '../../config/index.js';
import { ValidationError } from '../../errors/index.js';

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

export const actorField = z.string().min(1).max(200);

export const idParam = z.object({ id: z.coerce.number().int().min(1) });
