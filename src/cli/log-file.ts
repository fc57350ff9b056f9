import { pino } from 'pino';

/** At most this much of the log waits in memory while its file cannot be written. */
const HELD_BYTES = 16 * 1024 * 1024;

export interface LogFile {
  stream: ReturnType<typeof pino.destination>;
  /** The error the file's last write failed with, until a write succeeds again. */
  failing(): string | undefined;
}

/**
 * Sluice's log file. A write that fails (a full disk) must not stop Sluice: the lines wait in
 * memory (up to HELD_BYTES, then new ones are dropped) and are written with the next line once
 * the file takes them again; `onRecovered` is told then, to log what happened.
 */
export function openLogFile(
  path: string,
  onRecovered: (what: { error: string; failedForMs: number; dropped: number }) => void = () => {},
): LogFile {
  const stream = pino.destination({ dest: path, mkdir: true, sync: false, maxLength: HELD_BYTES });
  let failing: { error: string; since: number } | undefined;
  let dropped = 0;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    failing ??= { error: e.code ?? e.message, since: Date.now() };
  });
  stream.on('drop', () => dropped++);
  stream.on('write', () => {
    if (!failing) return;
    const what = { error: failing.error, failedForMs: Date.now() - failing.since, dropped };
    failing = undefined;
    dropped = 0;
    onRecovered(what);
  });
  return { stream, failing: () => failing?.error };
}
