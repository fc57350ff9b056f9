import { NotFoundError } from '../errors/index.js';
import type { ProjectStatus } from '../reconcile/index.js';
import type { Source } from '../source/index.js';
import type { ArtifactRecord, ChangeAction, GateResult, PromotionRecord } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import type { ReadonlyFs } from '../vfs/index.js';
import { describeProposal, optionalContext, type ChangeContext, type Proposal } from './proposal.js';
import { PromotionError } from './errors.js';
import { heldAmong, heldError, heldGate } from './hold-check.js';
import { evaluateGates, needsRequest, type SourceState } from './gates.js';
import { metricGates } from './metric-gates.js';
import { artifactChange, type OverlayChange } from './overlay-changes.js';
import { projectAt, renderCheck, scopeOf, type ProjectView } from './project-at.js';
import { promotable } from './source-state.js';
import { changeMessage, type ChangeTrailers } from './trailers.js';
import { localRequests, type NotificationEvent, type Notify, type RequestBackend } from './types.js';
import { commitOnTip, identityOf, KeyedLock, type BuildCommit } from './writer.js';

export interface PromotionServiceOptions {
  source: Source;
  store: Store;
  /** The controller's status, when running inside `sluice serve`. */
  status?: () => ProjectStatus;
  /** Asks the controller to look at the branch now instead of at its next poll. */
  refresh?: () => Promise<void>;
  notify?: Notify;
  /** Where promotion requests live; the store only, by default. */
  requests?: RequestBackend;
  /** Prepares a tree before it renders (decrypting SOPS files in memory), as the controller does. */
  openTree?: (fs: ReadonlyFs) => Promise<ReadonlyFs>;
  /** Push every commit; defaults to true for remote sources. */
  push?: boolean;
  now?: () => Date;
}

export type { ChangeContext } from './proposal.js';

export interface ChangeOutcome {
  mode: 'committed' | 'requested' | 'dry-run' | 'unchanged';
  app: string;
  env: string;
  artifacts: ArtifactRecord[];
  gates: GateResult[];
  diff: string;
  revision?: string;
  promotion?: PromotionRecord;
  /** A dry run of a change that would open a request rather than commit. */
  wouldRequest?: boolean;
  /** A dry run of artifacts the environment already declares: the change would be 'unchanged'. */
  alreadyDeclared?: boolean;
  attempts?: number;
}

/**
 * set-image, promote, approve and reject. Every change is a commit computed from the newest
 * branch tip under a per-environment lock; environments with rules get a promotion request
 * that Sluice merges (commits) once every gate passes.
 */
export class PromotionService {
  readonly locks = new KeyedLock();
  readonly requests: RequestBackend;

  constructor(readonly o: PromotionServiceOptions) {
    this.requests = o.requests ?? localRequests;
  }

  now(): Date {
    return this.o.now?.() ?? new Date();
  }

  get shouldPush(): boolean {
    return this.o.push ?? this.o.source.kind === 'remote';
  }

  /** Sets artifacts in an environment's overlay: a commit, or a request where the environment has rules. */
  setImage(ctx: ChangeContext & { artifacts: ArtifactRecord[] }): Promise<ChangeOutcome> {
    return this.propose({ ...ctx, kind: 'set-image' });
  }

  async propose(p: Proposal): Promise<ChangeOutcome> {
    return this.locks.run(p.env, async () => {
      const view = await projectAt(this.o.source, (await this.o.source.fetch()).revision);
      const { app, env } = scopeOf(view.project, p.app, p.env);
      const change = artifactChange(view.fs, app, env.name, p.artifacts);
      const renderError = change.changes.length
        ? await renderCheck(view, change.changes, app, env, {
            openTree: this.o.openTree,
          })
        : undefined;
      const gates = evaluateGates({
        env,
        kind: p.kind,
        author: p.actor,
        approvals: [],
        ...(p.source ? { source: p.source } : {}),
        ...(renderError ? { renderError } : {}),
        policyChecked: true,
        now: this.now(),
      });
      gates.push(...(await metricGates(this.o.store, env, { ...p, project: view.project.name })));
      // A digest whose verification failed here stays out until someone lifts its hold.
      const held = await heldAmong(this.o.store, view.project.name, p.env, p.artifacts);
      gates.push(...heldGate(held));
      const base = { app: p.app, env: p.env, artifacts: p.artifacts, gates, diff: change.diff };
      const request = needsRequest(env, p.kind);
      if (p.dryRun)
        return change.changes.length
          ? { ...base, mode: 'dry-run', wouldRequest: request }
          : { ...base, mode: 'dry-run', alreadyDeclared: true };
      if (held.length) throw heldError(p.kind, p.app, p.env, held);
      if (change.changes.length === 0) return { ...base, mode: 'unchanged' };
      const blocking = gates.filter((g) => !g.passed && g.gate !== 'approvals');
      if (blocking.length) {
        const error = gateError(p, blocking);
        await this.recordBlocked(view.project.name, p, gates, error.message);
        throw error;
      }
      if (request) {
        await this.refuseDuplicate(view.project.name, p);
        return { ...base, mode: 'requested', promotion: await this.openRequest(p, view, change, gates) };
      }
      // Committed directly: the ledger change is the only place the gates' verdicts are kept.
      const written = await this.write(p, { action: p.kind }, { gates });
      return written
        ? { ...base, mode: 'committed', revision: written.revision, attempts: written.attempts }
        : { ...base, mode: 'unchanged' };
    });
  }

  /**
   * A refused change leaves its reasons in the audit trail: every gate with its verdict (a metric
   * gate's query and value too), the artifacts and who asked. Nothing was committed, so the
   * ledger has no change to carry them.
   */
  private async recordBlocked(project: string, p: Proposal, gates: GateResult[], message: string): Promise<void> {
    await this.o.store.addEvent({
      project,
      app: p.app,
      env: p.env,
      type: `${p.kind}.blocked`,
      severity: 'warning',
      message,
      data: {
        kind: p.kind,
        actor: p.actor,
        artifacts: p.artifacts,
        gates,
        ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
      },
    });
  }

  /** One open request per app × environment × set of artifacts: a second one would only race the first. */
  private async refuseDuplicate(project: string, p: Proposal): Promise<void> {
    const key = artifactSet(p.artifacts);
    const open = await this.o.store.ledger.listPromotions({ project, app: p.app, env: p.env, state: 'open' });
    const same = open.find((o) => artifactSet(o.artifacts) === key);
    if (!same) return;
    throw new PromotionError(
      'PROMOTE_DUPLICATE_REQUEST',
      `request #${same.id} for these artifacts of ${p.app} in ${p.env} is already open (by ${same.author})`,
      {
        hint: `Approve or reject #${same.id} (\`sluice approve ${same.id}\`, \`sluice promotions --state open\`) instead of opening another.`,
      },
    );
  }

  private async openRequest(
    p: Proposal,
    view: ProjectView,
    change: OverlayChange,
    gates: GateResult[],
  ): Promise<PromotionRecord> {
    let promotion = await this.o.store.ledger.createPromotion({
      project: view.project.name,
      app: p.app,
      kind: p.kind,
      env: p.env,
      artifacts: p.artifacts,
      author: p.actor,
      createdAt: this.now().toISOString(),
      baseRevision: view.revision,
      gates,
      ...optionalContext(p),
      ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
    });
    const title = describeProposal(p);
    const external = await this.requests
      .open({
        promotion,
        title,
        body: `${title}\n\n${change.diff}`,
        changes: change.changes,
        baseRevision: view.revision,
      })
      .catch(async (e: unknown) => {
        // A request that could not be published must not stay open where nobody can review it.
        await this.o.store.ledger.updatePromotion(promotion.id, {
          state: 'failed',
          message: `publishing the request failed: ${e instanceof Error ? e.message : String(e)}`,
        });
        throw e;
      });
    if (external)
      promotion = await this.o.store.ledger.updatePromotion(promotion.id, {
        external: { backend: this.requests.name, ...external },
      });
    await this.event(promotion, 'promotion.requested', 'info', `#${promotion.id} ${title} waits for approval`);
    await this.tell({
      type: 'promotion.awaiting-approval',
      project: view.project.name,
      app: p.app,
      env: p.env,
      message: `#${promotion.id} ${title} waits for approval`,
      revision: view.revision,
      promotionId: promotion.id,
      artifacts: p.artifacts,
      actor: p.actor,
      ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
      ...(promotion.external?.url ? { requestUrl: promotion.external.url } : {}),
    });
    return promotion;
  }

  /**
   * Commits the proposal's artifacts on the newest tip (retrying when the branch moves) and
   * records the change in the ledger. Undefined when the overlay already says exactly that.
   */
  async write(
    p: Proposal,
    extra: Partial<ChangeTrailers> & { action: ChangeAction; subject?: string },
    /** Kept with the ledger change only: a verdict is not part of what the commit says it changes. */
    recorded: { gates?: GateResult[] } = {},
    beforeLanding?: (revision: string) => Promise<void>,
  ): Promise<{ revision: string; attempts: number } | undefined> {
    const author = identityOf(p.actor);
    const trailers: ChangeTrailers = {
      app: p.app,
      env: p.env,
      artifacts: p.artifacts,
      actor: p.actor,
      ...optionalContext(p),
      ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
      ...extra,
    };
    const subject = extra.subject ?? describeProposal(p);
    let project = '';
    const build: BuildCommit = async (head) => {
      const view = await projectAt(this.o.source, head);
      project = view.project.name;
      const { app, env } = scopeOf(view.project, p.app, p.env);
      const change = artifactChange(view.fs, app, env.name, p.artifacts);
      return change.changes.length
        ? {
            changes: change.changes,
            message: changeMessage(subject, trailers),
            author,
            sign: view.project.signing?.sign,
          }
        : undefined;
    };
    const written = await commitOnTip(this.o.source, build, {
      push: this.shouldPush,
      onCommitted: (revision) => this.recordWritten(project, revision, subject, trailers, recorded.gates),
      ...(beforeLanding ? { beforeLanding } : {}),
    });
    if (!written) return undefined;
    void this.o.refresh?.().catch(() => undefined);
    return written;
  }

  async recordWritten(
    project: string,
    revision: string,
    subject: string,
    t: ChangeTrailers,
    gates?: GateResult[],
  ): Promise<void> {
    const info = await this.o.source.commitInfo(revision);
    // The ledger entry and its event land together or not at all.
    await this.o.store.transaction(async (tx) => {
      await tx.ledger.recordChange({
        project,
        app: t.app,
        env: t.env,
        revision,
        action: t.action,
        subject,
        author: t.actor ?? info.author.name,
        committedAt: info.committer.time.toISOString(),
        artifacts: t.artifacts,
        ...(t.sourceCommit ? { sourceCommit: t.sourceCommit } : {}),
        ...(t.sourceTime ? { sourceTime: t.sourceTime } : {}),
        ...(t.ciRun ? { ciRun: t.ciRun } : {}),
        ...(t.promotionId !== undefined ? { promotionId: t.promotionId } : {}),
        ...(t.fromEnv ? { fromEnv: t.fromEnv } : {}),
        ...(t.rollbackOf ? { rollbackOf: t.rollbackOf } : {}),
        ...(t.notAFailure ? { notAFailure: t.notAFailure } : {}),
        ...(gates ? { gates } : {}),
      });
      await tx.addEvent({
        project,
        app: t.app,
        env: t.env,
        type: `${t.action}.committed`,
        severity: 'info',
        message: `${revision.slice(0, 7)} ${subject}`,
        data: { revision },
      });
    });
    // `promoted` is told once the change is synced and verified in the environment (landing.ts), not here.
  }

  /** Health and synced artifacts of a promotion's source environment, from the ledger and the controller. */
  async sourceState(project: string, app: string, env: string): Promise<SourceState> {
    return (await promotable(this.o.store, { project, app, env }, this.statusOf(app, env))).state;
  }

  statusOf(app: string, env: string) {
    return this.o.status?.().apps.find((a) => a.app === app && a.env === env);
  }

  async getPromotion(id: number): Promise<PromotionRecord> {
    const p = await this.o.store.ledger.getPromotion(id);
    if (!p) {
      throw new NotFoundError('PROMOTION_NOT_FOUND', `no promotion request #${id}`, {
        hint: 'List them with `sluice promotions`.',
      });
    }
    return p;
  }

  async event(
    p: Pick<PromotionRecord, 'project' | 'app' | 'env' | 'id'>,
    type: string,
    severity: 'info' | 'warning' | 'error',
    message: string,
  ): Promise<void> {
    await this.o.store.addEvent({
      project: p.project,
      app: p.app,
      env: p.env,
      type,
      severity,
      message,
      data: { promotionId: p.id },
    });
  }

  /** Notifications are best effort and not awaited: a failing or slow notifier never holds up a promotion. */
  async tell(e: Omit<NotificationEvent, 'time'>): Promise<void> {
    const notify = this.o.notify;
    if (!notify) return;
    const event = { ...e, time: this.now().toISOString() };
    void Promise.resolve()
      .then(() => notify(event))
      .catch(() => undefined);
  }
}

/** An artifact set as a key: the same digests under the same names, in any order. */
function artifactSet(list: readonly ArtifactRecord[]): string {
  return list
    .map((a) => `${a.name}=${a.digest ?? `${a.ref}:${a.tag ?? ''}`}`)
    .sort()
    .join(',');
}

function gateError(p: Proposal, failed: GateResult[]): PromotionError {
  return new PromotionError(
    'PROMOTE_GATE_FAILED',
    `${p.kind} of ${p.app} to ${p.env} blocked: ${failed.map((g) => `${g.gate}: ${g.message}`).join('; ')}`,
    {
      hint: 'Fix what the gate names (wait for health or the soak time, fix the render) and run the command again; --dry-run shows every gate.',
      // A metric can recover (or its Prometheus come back); the other gates wait for a person.
      retry: failed.some((g) => g.gate === 'metric'),
    },
  );
}
