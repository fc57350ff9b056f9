import type { Environment } from '../config/index.js';
import type { SyncRecord } from '../store/types.js';
import { NamedScopes } from './named-scopes.js';
import { overlayDir } from './overlay-changes.js';
import { projectAt, scopeOf } from './project-at.js';
import type { PromotionService } from './service.js';
import { readChangeTrailers, type ChangeTrailers } from './trailers.js';
import { KeyedLock } from './writer.js';

/** The store event that marks a promotion as landed; it also keeps the notification to one per change. */
export const LANDED_EVENT = 'promoted';

/**
 * Whether a change counts as a promotion: a `promote` always; a `set-image` when it moves
 * artifacts into an environment with promotion rules (`promotion:` or `protected`), however
 * it was written (`sluice set-image`, `--repo`, a merged request). A set-image into an
 * environment without rules (dev, fed by CI) is a deployment, not a promotion. Rollbacks are
 * told as `rolled-back`.
 */
export function isPromotion(t: Pick<ChangeTrailers, 'action'>, env: Pick<Environment, 'promotion' | 'protected'>) {
  if (t.action === 'promote') return true;
  return t.action === 'set-image' && (env.protected || env.promotion !== undefined);
}

const once = new KeyedLock();
const namedBy = new WeakMap<object, NamedScopes>();

/**
 * Tells `promoted` once a promotion is in force in its environment: a succeeded sync applied the
 * revision whose newest change to the overlay is the promotion, and the environment's
 * verification (when it has any) passed for that sync. Told once per change, however often the
 * scope is synced again at that revision (drift, a restart, a manual sync).
 */
export async function noticeLanding(svc: PromotionService, sync: SyncRecord): Promise<boolean> {
  if (sync.result !== 'Succeeded' || sync.dryRun) return false;
  const { source, store } = svc.o;
  let named = namedBy.get(source);
  if (!named) namedBy.set(source, (named = new NamedScopes(source)));
  if (!(await named.mayName(sync.revision, sync.app, sync.env))) return false;
  const view = await projectAt(source, sync.revision);
  const { app, env } = scopeOf(view.project, sync.app, sync.env);
  const commit = (await source.log({ ref: sync.revision, max: 1, paths: [overlayDir(app, env.name)] }))[0];
  const t = commit ? readChangeTrailers(commit.trailers) : undefined;
  if (!commit || !t || t.app !== sync.app || t.env !== sync.env || !isPromotion(t, env)) return false;
  let verificationId: number | undefined;
  if (env.verify?.length) {
    const verdicts = await store.ledger.listVerifications({ project: sync.project, app: sync.app, env: sync.env });
    const v = verdicts.find((x) => x.syncId === sync.id);
    if (v?.result !== 'Passed') return false;
    verificationId = v.id;
  }
  return once.run(`${sync.project}/${sync.app}@${sync.env}`, async () => {
    const told = await store.listEvents({ project: sync.project, app: sync.app, env: sync.env, type: LANDED_EVENT });
    if (told.some((e) => e.data?.revision === commit.sha)) return false;
    const what = commit.subject;
    const message = `${what}: synced${verificationId !== undefined ? ' and verified' : ''} in ${sync.env}`;
    await store.addEvent({
      project: sync.project,
      app: sync.app,
      env: sync.env,
      type: LANDED_EVENT,
      severity: 'info',
      message,
      syncId: sync.id,
      data: { revision: commit.sha, ...(verificationId !== undefined ? { verificationId } : {}) },
    });
    await svc.tell({
      type: 'promoted',
      project: sync.project,
      app: sync.app,
      env: sync.env,
      message,
      revision: commit.sha,
      artifacts: t.artifacts,
      ...(t.actor ? { actor: t.actor } : { actor: commit.author.name }),
      syncId: sync.id,
      ...(verificationId !== undefined ? { verificationId } : {}),
      ...(t.promotionId !== undefined ? { promotionId: t.promotionId } : {}),
      ...(t.fromEnv ? { fromEnv: t.fromEnv } : {}),
      ...(sync.revision !== commit.sha ? { details: { syncedRevision: sync.revision } } : {}),
    });
    return true;
  });
}
