import { createHash } from 'node:crypto';
import { ValidationError } from '../errors/index.js';
import type { HostedLog } from '../hosted/index.js';
import type { Source } from '../source/index.js';
import type { ArtifactRecord } from '../store/ledger-types.js';
import type { Store } from '../store/types.js';
import { formatArtifacts } from './artifact-arg.js';
import { openChangeRequest, requestBody } from './change-request.js';
import { PromotionError } from './errors.js';
import { needsRequest } from './gates.js';
import { resolveHosting } from './hosting.js';
import { artifactChange } from './overlay-changes.js';
import { projectAt, scopeOf } from './project-at.js';
import { describeProposal, type ChangeContext } from './proposal.js';
import { PromotionService, type ChangeOutcome } from './service.js';
import { changeMessage } from './trailers.js';
import { identityOf } from './writer.js';

export interface StandaloneOptions {
  source: Source;
  /** Scratch store: the ledger of the Sluice server following the repo records the commit from its trailers. */
  store: Store;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  log?: HostedLog;
}

export interface StandaloneOutcome extends ChangeOutcome {
  /** The pull/merge request opened where the environment needs a review. */
  request?: { id: string; url: string; branch: string };
}

/**
 * set-image straight against a config repo, for a CI job with no Sluice server: a commit (and
 * a push for a remote) where the environment takes direct commits, else a pull/merge request
 * on the forge hosting the repo. The overlay is edited, rendered and checked exactly as the
 * server does, through the same PromotionService.
 */
export async function setImageInRepo(
  o: StandaloneOptions,
  ctx: ChangeContext & { artifacts: ArtifactRecord[] },
): Promise<StandaloneOutcome> {
  const svc = new PromotionService({
    source: o.source,
    store: o.store,
  });
  const view = await projectAt(o.source, (await o.source.fetch()).revision);
  const { app, env } = scopeOf(view.project, ctx.app, ctx.env);
  if (!needsRequest(env, 'set-image')) return svc.setImage(ctx);
  // The dry run computes the diff and every gate on the newest tip, as a real change would.
  const planned = await svc.setImage({ ...ctx, dryRun: true });
  if (ctx.dryRun) return planned;
  const hosting = resolveHosting(view.project, {
    remoteUrl: o.source.kind === 'remote' ? o.source.location : undefined,
    ...pick(o),
  });
  if (!hosting) {
    throw new ValidationError(
      'SET_IMAGE_NEEDS_REVIEW',
      `${env.name} takes changes only through a reviewed request (${reasons(env).join(', ')}), and the config repo has no hosting configured to open one`,
      {
        hint: 'Set spec.repository in sluice.yaml (or use a github.com/gitlab.com remote) and a token in SLUICE_GITHUB_TOKEN or SLUICE_GITLAB_TOKEN so a pull/merge request is opened; or pass --server to let a running Sluice hold the request for `sluice approve`.',
      },
    );
  }
  const blocking = planned.gates.filter((g) => !g.passed && g.gate !== 'approvals');
  if (blocking.length) {
    throw new PromotionError(
      'PROMOTE_GATE_FAILED',
      `set-image of ${ctx.app} to ${ctx.env} blocked: ${blocking.map((g) => `${g.gate}: ${g.message}`).join('; ')}`,
      {
        hint: 'Fix what the gate names and run the command again; --dry-run shows every gate.',
      },
    );
  }
  const change = artifactChange(view.fs, app, env.name, ctx.artifacts);
  const { wouldRequest: _asked, alreadyDeclared: _same, ...outcome } = planned;
  if (change.changes.length === 0) return { ...outcome, mode: 'unchanged' };
  const subject = describeProposal({ kind: 'set-image', app: ctx.app, env: ctx.env, artifacts: ctx.artifacts });
  // The same artifacts give the same branch, so a retried CI job finds its request instead of opening another.
  const key = createHash('sha256').update(formatArtifacts(ctx.artifacts)).digest('hex').slice(0, 12);
  const branch = `${hosting.branchPrefix}${env.name}/${app.name}-${key}`;
  const opened = await openChangeRequest(hosting.repo, o.source, {
    branch,
    baseRevision: view.revision,
    changes: change.changes,
    author: identityOf(ctx.actor),
    message: changeMessage(subject, {
      action: 'set-image',
      app: ctx.app,
      env: ctx.env,
      artifacts: ctx.artifacts,
      actor: ctx.actor,
      ...(ctx.sourceCommit ? { sourceCommit: ctx.sourceCommit } : {}),
      ...(ctx.sourceTime ? { sourceTime: ctx.sourceTime } : {}),
      ...(ctx.ciRun ? { ciRun: ctx.ciRun } : {}),
    }),
    title: subject,
    body: requestBody({
      summary: `Asked by ${ctx.actor}${ctx.ciRun ? ` in ${ctx.ciRun}` : ''}.`,
      diff: change.diff,
      merge: 'host',
    }),
  });
  return { ...outcome, mode: 'requested', request: { id: opened.id, url: opened.url, branch } };
}

function reasons(env: {
  protected: boolean;
  promotion?: { approvals?: number; manual?: boolean } | undefined;
}): string[] {
  const out: string[] = [];
  if (env.protected) out.push('protected');
  if ((env.promotion?.approvals ?? 0) > 0) out.push(`${env.promotion!.approvals} approval(s)`);
  if (env.promotion?.manual) out.push('manual');
  return out;
}

function pick(o: StandaloneOptions) {
  return { ...(o.env ? { env: o.env } : {}), ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.log ? { log: o.log } : {}) };
}
