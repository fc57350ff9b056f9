import { NotFoundError } from '../errors/index.js';
import type { HoldRecord } from '../store/hold-types.js';
import type { VerificationRecord } from '../store/ledger-types.js';
import { PromotionError } from './errors.js';
import { environmentOf, projectAt, scopeOf } from './project-at.js';
import type { PromotionService } from './service.js';

const short = (digest: string) => digest.slice(0, 19);

/**
 * Verification failed after a sync: every digest that sync applied is held in the environment,
 * so neither set-image nor promote brings it back there until someone lifts the hold. Each new
 * hold is recorded as a `digest.held` event and told; a digest already held stays held once.
 */
export async function holdFailedDigests(svc: PromotionService, v: VerificationRecord): Promise<HoldRecord[]> {
  const { store } = svc.o;
  const applied = await store.ledger.listApplied({ project: v.project, app: v.app, env: v.env });
  const artifacts = applied.find((a) => a.syncId === v.syncId)?.artifacts ?? [];
  const failed = v.checks
    .filter((c) => !c.passed)
    .map((c) => `${c.name}: ${c.message}`)
    .join('; ');
  const reason = `verification failed after sync #${v.syncId}${failed ? ` (${failed})` : ''}`;
  const placed: HoldRecord[] = [];
  for (const a of artifacts) {
    if (!a.digest) continue;
    const before = await store.holds.listHolds({ project: v.project, env: v.env, digest: a.digest });
    if (before.length) continue; // held already, by an earlier failure
    const hold = await store.holds.placeHold({
      project: v.project,
      env: v.env,
      digest: a.digest,
      app: v.app,
      artifact: { name: a.name, ref: a.ref, ...(a.tag ? { tag: a.tag } : {}) },
      reason,
      heldAt: svc.now().toISOString(),
      heldBy: 'sluice',
      verificationId: v.id,
      syncId: v.syncId,
      revision: v.revision,
    });
    if (hold.verificationId !== v.id) continue; // held meanwhile, by another failure
    placed.push(hold);
    const message = `${a.name} ${short(a.digest)} is held in ${v.env}: ${reason}`;
    await store.addEvent({
      project: v.project,
      app: v.app,
      env: v.env,
      type: 'digest.held',
      severity: 'warning',
      message,
      syncId: v.syncId,
      data: { digest: a.digest, holdId: hold.id, revision: v.revision },
    });
    await svc.tell({
      type: 'digest.held',
      project: v.project,
      app: v.app,
      env: v.env,
      message,
      revision: v.revision,
      artifacts: [a],
      actor: 'sluice',
      syncId: v.syncId,
      verificationId: v.id,
      details: { digest: a.digest, reason },
    });
  }
  return placed;
}

/** Holds of a project, for `sluice hold list` and the dashboard; an unknown environment is an error. */
export async function listHolds(
  svc: PromotionService,
  q: { env?: string; app?: string; all?: boolean },
): Promise<HoldRecord[]> {
  const view = await projectAt(svc.o.source, (await svc.o.source.fetch()).revision);
  if (q.env) environmentOf(view.project, q.env);
  if (q.app) scopeOf(view.project, q.app, q.env ?? view.project.environments[0]!.name);
  return svc.o.store.holds.listHolds({
    project: view.project.name,
    ...(q.env ? { env: q.env } : {}),
    ...(q.app ? { app: q.app } : {}),
    active: !q.all,
  });
}

/** Lifts the hold of a digest in an environment; the reason is kept in the ledger with who lifted it. */
export async function liftHold(
  svc: PromotionService,
  req: { digest: string; env: string; actor: string; reason: string },
): Promise<HoldRecord> {
  const reason = req.reason.trim();
  if (!reason)
    throw new PromotionError('HOLD_LIFT_NEEDS_REASON', 'lifting a hold needs a reason', {
      hint: 'Say why the digest may run again: `sluice hold lift <digest> --env <env> --reason "…"`.',
    });
  const view = await projectAt(svc.o.source, (await svc.o.source.fetch()).revision);
  environmentOf(view.project, req.env);
  const lifted = await svc.o.store.holds.liftHold({
    project: view.project.name,
    env: req.env,
    digest: req.digest,
    by: req.actor,
    reason,
    at: svc.now().toISOString(),
  });
  if (!lifted)
    throw new NotFoundError('HOLD_NOT_FOUND', `${req.digest} is not held in ${req.env}`, {
      hint: `\`sluice hold list --env ${req.env}\` shows what is held.`,
    });
  await svc.o.store.addEvent({
    project: lifted.project,
    app: lifted.app,
    env: lifted.env,
    type: 'hold.lifted',
    severity: 'info',
    message: `${lifted.artifact.name} ${short(lifted.digest)} may run in ${lifted.env} again: hold lifted by ${req.actor}: ${reason}`,
    data: { digest: lifted.digest, holdId: lifted.id },
  });
  return lifted;
}
