import type { Environment, SigningSpec } from '../config/index.js';
import type { ArtifactRecord, VerificationRecord } from '../store/ledger-types.js';
import type { SyncRecord } from '../store/types.js';
import { PromotionError } from './errors.js';
import { artifactChange, overlayDir, restoreChange, type OverlayChange } from './overlay-changes.js';
import { artifactsAfter, projectAt, scopeOf } from './project-at.js';
import { provenanceFor } from './provenance.js';
import { lastEffectiveChange, mergedPromotion, parseRollbackTo } from './rollback-target.js';
import type { PromotionService } from './service.js';
import { changeMessage, readChangeTrailers, type ChangeTrailers } from './trailers.js';
import { commitOnTip } from './writer.js';

export interface RollbackRequest {
  app: string;
  env: string;
  actor: string;
  /** A revision whose overlay to restore, or a promotion id (`12`, `#12`) whose artifacts to apply again. */
  to?: string;
  dryRun?: boolean;
  /** Wait for the sync of the rollback and for health. */
  wait?: boolean;
  timeoutMs?: number;
  /** Why: written into the commit message. */
  reason?: string;
  /**
   * A deliberate step back, not a reaction to a failure: the change undone is not counted as
   * failed in DORA. Needs `to` and `reason`, so the ledger says where to and why.
   */
  notAFailure?: boolean;
}

export interface RollbackOutcome {
  mode: 'committed' | 'dry-run';
  app: string;
  env: string;
  diff: string;
  subject: string;
  artifacts: ArtifactRecord[];
  rollbackOf?: string;
  revision?: string;
  sync?: SyncRecord;
}

interface Planned {
  project: string;
  /** The key sluice.yaml has Sluice sign its commits with. */
  sign?: SigningSpec['sign'];
  change: OverlayChange;
  subject: string;
  trailers: ChangeTrailers;
}

/** Computes the rollback on a branch tip: what to restore, and the commit message that says so. */
async function plan(svc: PromotionService, req: RollbackRequest, head: string): Promise<Planned> {
  const { source } = svc.o;
  const view = await projectAt(source, head);
  const { app, env } = scopeOf(view.project, req.app, req.env);
  const dir = overlayDir(app, env.name);
  const last = await lastEffectiveChange(source, dir, head);
  const to = parseRollbackTo(req.to);
  let change: OverlayChange;
  let what: string;
  if (to?.kind === 'promotion') {
    const p = await mergedPromotion(svc.o.store, to.id, req.app, req.env);
    change = artifactChange(view.fs, app, env.name, p.artifacts);
    what = `apply promotion #${p.id} again`;
  } else if (to?.kind === 'revision') {
    const revision = await source.resolve(to.revision);
    change = restoreChange(view.fs, await source.tree(revision), dir);
    what = `restore ${dir} as of ${revision.slice(0, 7)}`;
  } else {
    const parent = last?.parents[0];
    const earlier = parent ? await source.tree(parent) : undefined;
    if (!last || !earlier || earlier.stat(dir) !== 'dir') {
      throw new PromotionError('ROLLBACK_NOTHING', `${req.app} in ${req.env} has no earlier version to roll back to`, {
        hint: 'The overlay has had one version only; name one with --to <revision|promotion-id>.',
      });
    }
    change = restoreChange(view.fs, earlier, dir);
    what = `undo ${last.sha.slice(0, 7)} "${last.subject}"`;
  }
  const artifacts = artifactsAfter(view, change.changes, app, env);
  const subject = `Roll back ${req.app} in ${req.env}: ${what}`;
  // What runs again keeps the provenance of its own build, never that of what it replaces.
  const origin = provenanceFor(
    await svc.o.store.ledger.listChanges({ project: view.project.name, app: req.app }),
    artifacts,
  );
  const trailers: ChangeTrailers = {
    action: 'rollback',
    app: req.app,
    env: req.env,
    artifacts,
    actor: req.actor,
    ...origin,
    ...(last ? { rollbackOf: last.sha } : {}),
    ...(req.notAFailure ? { notAFailure: req.reason! } : {}),
  };
  return { project: view.project.name, change, subject, trailers, sign: view.project.signing?.sign };
}

/**
 * One action: commits the rollback (auto-sync stays on, Git stays the only writer), records it,
 * and, when asked, waits until the controller synced it and the scope is healthy.
 */
export async function rollback(svc: PromotionService, req: RollbackRequest): Promise<RollbackOutcome> {
  const { source, store } = svc.o;
  if (req.notAFailure && (!req.to || !req.reason?.trim())) {
    throw new PromotionError(
      'ROLLBACK_NOT_A_FAILURE_NEEDS_REASON',
      'a rollback marked as not a failure needs a target and a reason',
      { hint: 'Name both: `sluice rollback <app> --env <env> --to <revision> --reason "…" --not-a-failure`.' },
    );
  }
  if (req.dryRun) {
    const p = await plan(svc, req, (await source.fetch()).revision);
    return {
      mode: 'dry-run',
      app: req.app,
      env: req.env,
      diff: p.change.diff,
      subject: p.subject,
      artifacts: p.trailers.artifacts,
      ...(p.trailers.rollbackOf ? { rollbackOf: p.trailers.rollbackOf } : {}),
    };
  }
  const before =
    (await store.listSyncs({ project: svc.o.status?.().project, app: req.app, env: req.env, limit: 1 }))[0]?.id ?? 0;
  let planned: Planned | undefined;
  const written = await svc.locks.run(req.env, () =>
    commitOnTip(
      source,
      async (head) => {
        planned = await plan(svc, req, head);
        const body = req.reason ? `Why: ${req.reason}` : undefined;
        return planned.change.changes.length
          ? {
              changes: planned.change.changes,
              message: changeMessage(planned.subject, planned.trailers, body),
              author: { name: req.actor, email: 'sluice@localhost' },
              sign: planned.sign,
            }
          : undefined;
      },
      {
        push: svc.shouldPush,
        onCommitted: (revision) => svc.recordWritten(planned!.project, revision, planned!.subject, planned!.trailers),
      },
    ),
  );
  if (!written || !planned) {
    throw new PromotionError('ROLLBACK_NOTHING', `${req.app} in ${req.env} already is at that version`, {
      hint: 'Name another target with --to <revision|promotion-id>.',
    });
  }
  const p = planned;
  await svc.tell({
    type: 'rolled-back',
    project: p.project,
    app: req.app,
    env: req.env,
    message: `${p.subject}${req.reason ? ` (${req.reason})` : ''}`,
    revision: written.revision,
    artifacts: p.trailers.artifacts,
    actor: req.actor,
  });
  void svc.o.refresh?.().catch(() => undefined);
  const out: RollbackOutcome = {
    mode: 'committed',
    app: req.app,
    env: req.env,
    diff: p.change.diff,
    subject: p.subject,
    artifacts: p.trailers.artifacts,
    revision: written.revision,
    ...(p.trailers.rollbackOf ? { rollbackOf: p.trailers.rollbackOf } : {}),
  };
  if (req.wait) out.sync = await waitForDeploy(svc, req, before, req.timeoutMs ?? 180_000);
  return out;
}

/** Waits for the first sync after `afterId` to finish, then for the scope to report Healthy. */
async function waitForDeploy(
  svc: PromotionService,
  req: RollbackRequest,
  afterId: number,
  timeoutMs: number,
): Promise<SyncRecord> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sync = (await svc.o.store.listSyncs({ app: req.app, env: req.env, limit: 5 }))
      .reverse()
      .find((s) => s.id > afterId && !s.dryRun && s.result !== 'Running');
    if (sync?.result === 'Failed')
      throw new PromotionError(
        'ROLLBACK_FAILED',
        `the sync of the rollback failed: ${sync.error?.message ?? 'unknown error'}`,
        { hint: '`sluice history --ledger` shows the chain; `sluice logs` the processes.' },
      );
    const status = svc.statusOf(req.app, req.env);
    if (sync && (!status || (status.health === 'Healthy' && status.sync === 'Synced'))) return sync;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new PromotionError(
    'ROLLBACK_TIMEOUT',
    `the rollback of ${req.app} in ${req.env} did not sync and turn healthy within ${Math.round(timeoutMs / 1000)}s`,
    {
      hint: 'It is committed; `sluice status` shows where the sync stands.',
    },
  );
}

/**
 * Verification failed after a sync. Where the environment sets `rollback.auto`, the change the
 * sync applied is rolled back, unless it already was a rollback (no chain of rollbacks) or a
 * newer change replaced it meanwhile. Recorded either way.
 */
export async function autoRollback(svc: PromotionService, v: VerificationRecord, env: Environment): Promise<void> {
  const { store, source } = svc.o;
  const note = (severity: 'info' | 'warning' | 'error', message: string) =>
    store.addEvent({
      project: v.project,
      app: v.app,
      env: v.env,
      type: 'rollback.auto',
      severity,
      message,
      syncId: v.syncId,
    });
  if (!env.rollback?.auto)
    return void (await note(
      'info',
      `verification failed; ${v.env} does not roll back automatically (rollback.auto is off)`,
    ));
  const view = await projectAt(source, v.revision);
  const dir = overlayDir(scopeOf(view.project, v.app, v.env).app, v.env);
  const newest = (await source.log({ ref: v.revision, max: 1, paths: [dir] }))[0];
  if (newest && readChangeTrailers(newest.trailers)?.action === 'rollback') {
    return void (await note(
      'error',
      `verification failed after rollback ${newest.sha.slice(0, 7)}; not rolling back further`,
    ));
  }
  const failedChange = await lastEffectiveChange(source, dir, v.revision);
  const current = await lastEffectiveChange(source, dir, (await source.fetch()).revision);
  if (!failedChange || current?.sha !== failedChange.sha) {
    return void (await note(
      'warning',
      `verification failed, but ${v.env} changed since; leaving the newer change in place`,
    ));
  }
  try {
    const failed = v.checks
      .filter((c) => !c.passed)
      .map((c) => c.message)
      .join('; ');
    const out = await rollback(svc, {
      app: v.app,
      env: v.env,
      actor: 'sluice',
      reason: `verification failed after sync #${v.syncId}: ${failed}`,
    });
    if (out.revision) await store.ledger.setRollbackRevision(v.id, out.revision);
    await note('warning', `rolled back automatically: ${out.subject}`);
  } catch (e) {
    await note('error', `automatic rollback failed: ${(e as Error).message}`);
  }
}
