import { groupAlive, isSameProcess, signalGroup } from './proc.js';

/**
 * Stops a replica's whole process group: SIGTERM, then SIGKILL once the grace period is over.
 * Returns whether SIGKILL was needed. Done means the leader is gone and no live member of its
 * group is left, so nothing the replica started survives it.
 */
export async function terminateGroup(pid: number, startTime: string, graceMs: number): Promise<boolean> {
  const gone = () => !isSameProcess(pid, startTime) && !groupAlive(pid);
  signalGroup(pid, 'SIGTERM');
  if (await waitFor(gone, graceMs)) return false;
  signalGroup(pid, 'SIGKILL');
  await waitFor(gone, 5000);
  return true;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Promises waiting for one outcome, settled together. */
export class Waiters {
  private pending: { resolve: () => void; reject: (e: Error) => void }[] = [];

  wait(signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
    return new Promise((resolve, reject) => {
      const abort = () => reject(onAbort());
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.pending.push({
        resolve: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
        reject: (e) => {
          signal?.removeEventListener('abort', abort);
          reject(e);
        },
      });
    });
  }

  settle(error?: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const w of pending) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }
}
