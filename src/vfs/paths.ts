import { posix } from 'node:path';

/**
 * Normalizes a tree-relative POSIX path: no leading `./` or `/`, no trailing `/`, `.` for
 * the root. A path that climbs above the root keeps its leading `..` so callers can reject it.
 */
export function normalizePath(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/')).replace(/^\/+/, '');
  const trimmed = n.length > 1 ? n.replace(/\/+$/, '') : n;
  return trimmed === '' || trimmed === './' ? '.' : trimmed;
}

export function joinPath(...parts: string[]): string {
  return normalizePath(posix.join(...parts));
}

export function dirnameOf(p: string): string {
  return normalizePath(posix.dirname(normalizePath(p)));
}

/** True if `p` (normalized) is `root` or lies below it. */
export function isWithin(root: string, p: string): boolean {
  const r = normalizePath(root);
  const n = normalizePath(p);
  if (n === '..' || n.startsWith('../')) return false;
  if (r === '.') return true;
  return n === r || n.startsWith(`${r}/`);
}
