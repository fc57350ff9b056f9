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
