import { z } from 'zod';
import { ValidationError } from '../errors/index.js';

/**
 * Durations are shared by sluice.yaml and the targets' parts of it, so the field type and
 * its parser live together here rather than in either.
 */

/** Go-style duration: `90s`, `10m`, `1h30m`, `500ms`. */
export const durationString = z
  .string()
  .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, 'must be a duration such as 30s, 10m or 1h30m');

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration (`1h30m`, `10s`, `250ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) {
    throw new ValidationError('BAD_DURATION', `"${text}" is not a duration`, {
      hint: 'Use a number and a unit, such as 30s, 10m or 1h30m.',
    });
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}
