/** Exponential backoff with full jitter: attempt 1 → ~base, doubling up to max. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: never immediate, never synchronized across scopes.
  return Math.round(exp / 2 + (random() * exp) / 2);
}
