/**
 * Delay before restarting a replica after its n-th consecutive crash. The first crash restarts
 * at once (a one-off kill should heal within a health interval); repeated crashes wait
 * 1s, 2s, 4s … up to the cap, so a crash loop does not burn the machine.
 */
export function restartDelayMs(consecutiveCrashes: number, capMs = 300_000): number {
  if (consecutiveCrashes <= 1) return 0;
  return Math.min(1000 * 2 ** (consecutiveCrashes - 2), capMs);
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `was killed by ${signal}`;
  if (code === null) return 'exited (exit status unknown: it was adopted, not started, by this Sluice)';
  return `exited with code ${code}`;
}
