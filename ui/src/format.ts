/** Revisions are full SHAs; seven characters is what people paste and recognise. */
export function shortSha(revision: string | undefined): string {
  return revision ? revision.slice(0, 7) : '—';
}

/** "12s ago", "4m ago", "3h ago", "2d ago"; times slightly in the future (clock skew) read "just now". */
export function relativeTime(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** A time still to come, such as the next retry of a failed sync: "in 40s", "in 4m", "due now". */
export function timeUntil(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 1) return 'due now';
  if (s < 60) return `in ${s}s`;
  if (s < 3600) return `in ${Math.round(s / 60)}m`;
  return `in ${Math.round(s / 3600)}h`;
}

export function absoluteTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function duration(startIso: string, endIso: string | undefined): string {
  if (!endIso) return '…';
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (Number.isNaN(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** `file:line` the way editors and terminals link it. */
export function location(err: { file?: string; line?: number }): string | undefined {
  if (!err.file) return undefined;
  return err.line ? `${err.file}:${err.line}` : err.file;
}

/** `sha256:1a2b3c4d5e6f…` → `1a2b3c4d5e6f`: twelve hex digits tell artifacts apart at a glance. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '—';
  const hex = digest.replace(/^sha256:/, '');
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** A span of time as a number and a unit, for metrics whose size varies from seconds to days. */
export function durationParts(ms: number | null | undefined): { value: string; unit: string } {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return { value: '—', unit: '' };
  const s = ms / 1000;
  if (s < 60) return { value: String(Math.round(s)), unit: 's' };
  const m = s / 60;
  if (m < 60) return { value: round(m), unit: 'min' };
  const h = m / 60;
  if (h < 48) return { value: round(h), unit: 'h' };
  return { value: round(h / 24), unit: 'd' };
}

export function humanDuration(ms: number | null | undefined): string {
  const { value, unit } = durationParts(ms);
  return unit ? `${value} ${unit}` : value;
}

/** One decimal below ten, whole numbers above: 4.5 min, 47 min. */
function round(n: number): string {
  return n < 10 ? String(Math.round(n * 10) / 10) : String(Math.round(n));
}

/** 0.3333 → "33%"; null (nothing to divide by) → "—". */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${Math.round(rate * 100)}%`;
}

/**
 * A deployment rate in the unit that reads as a number people say: 3 per day, 2.3 per week,
 * 2 per month (30 days), rather than 0.067 per day.
 */
export function deploymentRate(perDay: number): { value: string; unit: string } {
  if (perDay === 0) return { value: '0', unit: 'per day' };
  if (perDay >= 1) return { value: rate(perDay), unit: 'per day' };
  if (perDay * 7 >= 1) return { value: rate(perDay * 7), unit: 'per week' };
  return { value: rate(perDay * 30), unit: 'per month' };
}

function rate(n: number): string {
  if (n >= 10) return String(Math.round(n));
  return String(Math.round(n * 10) / 10);
}

/** "Oct 22": short enough for a chart axis. */
export function shortDate(t: number | string): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** The calendar day of a time in the viewer's zone, as `YYYY-MM-DD`: how deployments are bucketed. */
export function localDay(t: number | Date): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
