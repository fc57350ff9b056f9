import { isTransient } from '../errors/index.js';
import type { ProviderLog } from '../providers/types.js';
import type { Store } from '../store/types.js';
import { backoffDelay } from './backoff.js';

/**
 * Syncs a killed controller left Running are marked failed before anything starts (a
 * controller's own would be marked too, later). A store that cannot be written yet (locked by
 * another process, a full disk) is waited for with backoff, so Sluice starts once it can;
 * stopping ends the wait.
 */
export async function abandonLeftovers(
  store: Store,
  log: ProviderLog,
  stopping: AbortSignal,
  random: () => number,
): Promise<void> {
  for (let attempt = 1; !stopping.aborted; attempt++) {
    try {
      const abandoned = await store.abandonRunningSyncs('the controller stopped while this sync ran');
      if (abandoned) log.warn({ abandoned }, 'marked syncs left running by a previous controller as failed');
      return;
    } catch (e) {
      if (!isTransient(e)) throw e;
      const delay = backoffDelay(attempt, 1_000, 30_000, random);
      log.warn(
        { err: (e as Error).message, retryInMs: delay },
        'the store cannot be written yet; waiting before starting',
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
