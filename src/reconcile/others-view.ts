import type { Store, SyncRecord } from '../store/types.js';
import { scopeKey } from './targets.js';

const PAGE = 500;

/**
 * What the other replicas did to the scopes they hold, read from the store, so that any replica
 * answers status for every scope and not only the history it read when it first saw it. One
 * query a lease round for the syncs recorded since the last (paged when many), plus one read
 * per sync last seen running, to learn how it ended.
 */
export class OthersView {
  private cursor: number | undefined;
  /** Syncs seen running on a scope held elsewhere: sync id → scope key. */
  private readonly running = new Map<number, string>();

  constructor(private readonly store: Pick<Store, 'listSyncs' | 'getSync'>) {}

  /** The newest sync of each scope `held` says is not this replica's, recorded or finished since the last call. */
  async changes(project: string, held: (key: string) => boolean): Promise<Map<string, SyncRecord>> {
    const out = new Map<string, SyncRecord>();
    const keep = (key: string, s: SyncRecord) => {
      if (held(key)) return;
      const had = out.get(key);
      if (!had || had.id < s.id) out.set(key, s);
    };
    const fresh = await this.since(project);
    for (const [id, key] of [...this.running]) {
      const s = await this.store.getSync(id);
      if (s?.result === 'Running') continue;
      this.running.delete(id);
      if (s) keep(key, s);
    }
    for (const s of fresh) {
      const key = scopeKey(s.app, s.env);
      if (s.result === 'Running' && !held(key)) this.running.set(s.id, key);
      keep(key, s);
    }
    return out;
  }

  /** Real syncs recorded since the last call; none the first time, which only sets the cursor. */
  private async since(project: string): Promise<SyncRecord[]> {
    const first = this.cursor === undefined;
    const fresh: SyncRecord[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.store.listSyncs({
        project,
        dryRun: false,
        limit: PAGE,
        ...(beforeId ? { beforeId } : {}),
      });
      if (first) {
        this.cursor = page[0]?.id ?? 0;
        return [];
      }
      const newer = page.filter((s) => s.id > this.cursor!);
      fresh.push(...newer);
      if (newer.length < page.length || page.length < PAGE) break;
      beforeId = page.at(-1)!.id;
    }
    if (fresh.length) this.cursor = Math.max(...fresh.map((s) => s.id));
    return fresh;
  }
}
