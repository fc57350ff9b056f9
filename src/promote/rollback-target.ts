import type { CommitInfo, Source } from '../source/index.js';
import type { Store } from '../store/types.js';
import { PromotionError } from './errors.js';
import { readChangeTrailers } from './trailers.js';

/**
 * The newest change to an overlay still in effect. Rollback commits, and the changes they
 * undid, are skipped: rolling back twice steps back twice instead of undoing the rollback.
 */
export async function lastEffectiveChange(source: Source, dir: string, head: string): Promise<CommitInfo | undefined> {
  const undone = new Set<string>();
  for (const c of await source.log({ ref: head, max: 500, paths: [dir] })) {
    const t = readChangeTrailers(c.trailers);
    if (t?.action === 'rollback') {
      if (t.rollbackOf) undone.add(t.rollbackOf);
      continue;
    }
    if (undone.has(c.sha)) continue;
    return c;
  }
  return undefined;
}

export type RollbackTo = { kind: 'revision'; revision: string } | { kind: 'promotion'; id: number };

/** `--to 12` or `--to #12` names a promotion request; anything else a revision. */
export function parseRollbackTo(to: string | undefined): RollbackTo | undefined {
  if (!to) return undefined;
  const m = /^#?(\d{1,9})$/.exec(to.trim());
  return m ? { kind: 'promotion', id: Number(m[1]) } : { kind: 'revision', revision: to.trim() };
}

/** The promotion whose artifacts a rollback re-applies; it must have been merged into this environment. */
export async function mergedPromotion(store: Store, id: number, app: string, env: string) {
  const p = await store.ledger.getPromotion(id);
  if (!p || p.app !== app || p.env !== env || p.state !== 'merged') {
    throw new PromotionError('ROLLBACK_NOTHING', `promotion #${id} is not a merged change of ${app} in ${env}`, {
      hint: `List candidates with \`sluice promotions --env ${env} --state merged\`.`,
    });
  }
  return p;
}
