import type { Source } from '../source/index.js';
import type { ReadonlyFs } from '../vfs/index.js';
import type { RevisionSource } from './source.js';
import type { StatusError } from './status.js';

/** The controller's view of a Git source. */
export function gitRevisionSource(source: Source): RevisionSource {
  const state = () => source.state();
  return {
    get url() {
      return state().location;
    },
    get branch() {
      return state().branch;
    },
    fetch: async () => (await source.fetch()).revision,
    tree: (revision: string): Promise<ReadonlyFs> => source.tree(revision),
    changedPaths: (from: string, to: string) => source.changedPaths(from, to),
    lastKnown: () => source.cachedRevision(),
    contains: (ancestor: string, descendant: string) => source.contains(ancestor, descendant),
    verifyCommit: (revision, keys) => source.verifyCommit(revision, keys),
    watch: (onRevision: (revision: string) => void) => {
      const w = source.watch((revision) => onRevision(revision));
      return () => w.close();
    },
    health() {
      const s = state();
      const out: ReturnType<RevisionSource['health']> = {};
      if (s.lastError) {
        const e: StatusError = { code: s.lastError.code, message: s.lastError.message };
        if (s.lastError.hint) e.hint = s.lastError.hint;
        out.lastError = e;
      }
      if (s.nextRetryAt) out.nextRetryAt = s.nextRetryAt;
      if (s.lastFetchAt) out.lastFetchAt = s.lastFetchAt;
      return out;
    },
    close: async () => source.close(),
  };
}
