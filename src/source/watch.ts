import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RefWatchOptions {
  debounceMs?: number;
  /** Poll interval used when file watching is unavailable. */
  pollMs?: number;
  /** A slow poll kept even while watching, for events the platform drops. */
  safetyPollMs?: number;
  onFallback?: (reason: string) => void;
}

export interface Stoppable {
  close(): void;
}

/**
 * Calls `onSignal` soon after anything changes in the given directories (where git keeps
 * HEAD, packed-refs and the branch's loose ref). Git updates refs by renaming a lock file
 * into place, so directories are watched rather than the ref files themselves. If watching
 * is not possible, it polls instead; the callback decides whether anything really changed.
 */
export function watchDirs(dirs: readonly string[], onSignal: () => void, options: RefWatchOptions = {}): Stoppable {
  const debounceMs = options.debounceMs ?? 50;
  const pollMs = options.pollMs ?? 1_000;
  let pending: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let closed = false;
  const watchers: FSWatcher[] = [];

  const signal = () => {
    if (closed || pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      if (!closed) onSignal();
    }, debounceMs);
  };
  const startPolling = (every: number) => {
    if (poll) clearInterval(poll);
    poll = setInterval(signal, every);
  };
  const fallBack = (reason: string) => {
    if (closed) return;
    for (const w of watchers.splice(0)) w.close();
    options.onFallback?.(reason);
    startPolling(pollMs);
  };

  try {
    for (const dir of new Set(dirs)) {
      const w = watch(dir, signal);
      w.on('error', (e) => fallBack(e.message));
      watchers.push(w);
    }
    startPolling(options.safetyPollMs ?? 10_000);
  } catch (e) {
    fallBack(e instanceof Error ? e.message : String(e));
  }

  return {
    close() {
      closed = true;
      if (pending) clearTimeout(pending);
      if (poll) clearInterval(poll);
      for (const w of watchers.splice(0)) w.close();
    },
  };
}

/**
 * Directories whose changes can move a branch: the one holding its loose ref (or the nearest
 * that exists yet), the common directory (packed-refs) and the repository's own directory
 * (HEAD, which differs for a linked worktree).
 */
export function refDirs(gitDir: string, commonDir: string, branch: string): string[] {
  let refDir = dirname(join(commonDir, 'refs', 'heads', branch));
  while (!existsSync(refDir) && refDir.startsWith(commonDir) && refDir !== commonDir) refDir = dirname(refDir);
  return [...new Set([refDir, commonDir, gitDir])];
}
