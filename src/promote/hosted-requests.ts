import { describeError } from '../errors/index.js';
import type { HostedLog } from '../hosted/index.js';
import type { Source } from '../source/index.js';
import type { PromotionRecord } from '../store/ledger-types.js';
import { openChangeRequest, requestBody } from './change-request.js';
import { resolveHosting, type HostedTarget } from './hosting.js';
import { projectAt } from './project-at.js';
import { changeMessage } from './trailers.js';
import type { ExternalReview, RequestBackend } from './types.js';
import { identityOf } from './writer.js';

export interface HostedRequestsOptions {
  source: Source;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  log?: HostedLog;
  now?: () => Date;
}

const HOST = { github: 'GitHub', gitlab: 'GitLab' } as const;

/** The branch a promotion request's commit is pushed to. */
const requestBranch = (t: HostedTarget, p: Pick<PromotionRecord, 'env' | 'app' | 'id'>) =>
  `${t.branchPrefix}${p.env}/${p.app}-${p.id}`;

/**
 * Promotion requests as pull requests (GitHub) or merge requests (GitLab). Opening one pushes
 * a branch with the promotion commit and opens the request; reviews given there count as
 * approvals and rejections. Sluice still merges by committing onto the followed branch, so
 * the commit that changes desired state is the one Sluice computed on the newest tip, with its
 * trailers; the hosted request is then closed with a comment naming that commit.
 *
 * Where requests go is read from sluice.yaml at the newest revision on every call, so adding
 * `spec.repository` (or a token) takes effect without a restart; without hosting every call
 * behaves like the local backend.
 */
export class HostedRequests implements RequestBackend {
  private cached: HostedTarget | undefined;
  /** GitLab's approvals carry no time: the first time Sluice saw each one stands in for it. */
  private readonly firstSeen = new Map<string, string>();

  constructor(private readonly o: HostedRequestsOptions) {}

  get name(): string {
    return this.cached?.repo.kind ?? 'local';
  }

  /** How often open requests should be read back, as sluice.yaml said last time it was read. */
  get pollIntervalMs(): number {
    return this.cached?.pollIntervalMs ?? 30_000;
  }

  /** The forge requests go to now, or undefined when they stay in Sluice. */
  async target(): Promise<HostedTarget | undefined> {
    const revision = this.o.source.state().lastGoodRevision ?? (await this.o.source.fetch()).revision;
    const { project } = await projectAt(this.o.source, revision);
    const next = resolveHosting(project, {
      remoteUrl: this.o.source.kind === 'remote' ? this.o.source.location : undefined,
      ...(this.o.env ? { env: this.o.env } : {}),
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      ...(this.o.log ? { log: this.o.log } : {}),
    });
    if (next?.key !== this.cached?.key) this.cached = next;
    return this.cached;
  }

  async open(r: Parameters<RequestBackend['open']>[0]): Promise<{ id: string; url?: string } | undefined> {
    const t = await this.target();
    if (!t) return undefined;
    const p = r.promotion;
    const summary = r.body.startsWith(r.title) ? r.body.slice(r.title.length).trim() : r.body;
    const opened = await openChangeRequest(t.repo, this.o.source, {
      branch: requestBranch(t, p),
      baseRevision: r.baseRevision,
      changes: r.changes,
      author: identityOf(p.author),
      message: changeMessage(r.title, {
        action: p.kind,
        app: p.app,
        env: p.env,
        artifacts: p.artifacts,
        actor: p.author,
        promotionId: p.id,
        ...(p.fromEnv ? { fromEnv: p.fromEnv } : {}),
        ...(p.sourceCommit ? { sourceCommit: p.sourceCommit } : {}),
        ...(p.sourceTime ? { sourceTime: p.sourceTime } : {}),
        ...(p.ciRun ? { ciRun: p.ciRun } : {}),
      }),
      title: `${r.title} (Sluice #${p.id})`,
      body: requestBody({
        summary: `Promotion request #${p.id}, asked by ${p.author}.`,
        diff: summary,
        merge: 'sluice',
      }),
    });
    return { id: opened.id, url: opened.url };
  }

  async reviews(p: PromotionRecord): Promise<ExternalReview[]> {
    if (!p.external) return [];
    const t = await this.target();
    if (!t || p.external.backend !== t.repo.kind) return [];
    const host = HOST[t.repo.kind];
    const info = await t.repo.getRequest(p.external.id);
    const now = this.now();
    if (info.state === 'closed') {
      return [
        { actor: host, decision: 'reject', comment: `${info.url} was closed on ${host} without merging`, at: now },
      ];
    }
    const at = (user: string, given: string | undefined, decision: string) => {
      const key = `${p.id}:${user}:${decision}`;
      if (given) return given;
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, now);
      return this.firstSeen.get(key)!;
    };
    const out: ExternalReview[] = [];
    for (const a of info.approvals) {
      // The request's author on the host is the token Sluice acts with, not a reviewer; an
      // approval of an older head saw other content than the request shows now.
      if (a.user === info.author || (a.sha && a.sha !== info.headSha)) continue;
      out.push({ actor: a.user, decision: 'approve', comment: `approved on ${host}`, at: at(a.user, a.at, 'approve') });
    }
    for (const c of info.changesRequested) {
      out.push({
        actor: c.user,
        decision: 'reject',
        comment: `requested changes on ${host}`,
        at: at(c.user, c.at, 'reject'),
      });
    }
    return out;
  }

  async mergedAs(p: PromotionRecord): Promise<string[]> {
    if (!p.external) return [];
    const t = await this.target();
    if (!t || p.external.backend !== t.repo.kind) return [];
    const info = await t.repo.getRequest(p.external.id);
    if (info.state !== 'merged') return [];
    // A merge commit carries no trailers of its own: the head it merged is the commit that does.
    return info.mergedSha ? [info.mergedSha, info.headSha] : [info.headSha];
  }

  async close(p: PromotionRecord, outcome: 'merged' | 'rejected' | 'failed', revision?: string): Promise<void> {
    for (const key of [...this.firstSeen.keys()]) if (key.startsWith(`${p.id}:`)) this.firstSeen.delete(key);
    if (!p.external) return;
    const t = await this.target().catch(() => undefined);
    if (!t || p.external.backend !== t.repo.kind) return;
    const id = p.external.id;
    const text =
      outcome === 'merged'
        ? `Sluice committed this promotion onto \`${this.o.source.branch}\` as ${revision ?? 'a new commit'}; every gate passed. Closing: that commit, not this branch, is what changed.`
        : `Sluice ${outcome === 'rejected' ? 'rejected' : 'could not merge'} promotion #${p.id}${p.message ? `: ${p.message}` : ''}.`;
    // The promotion has ended in Sluice either way; a host that fails here only leaves a stale request.
    try {
      if ((await t.repo.getRequest(id)).state === 'open') {
        await t.repo.comment(id, text);
        await t.repo.close(id);
      }
    } catch (e) {
      this.o.log?.warn?.(
        { promotionId: p.id, request: id },
        `closing the ${HOST[t.repo.kind]} request failed: ${describeError(e)}`,
      );
      return;
    }
    // The request has ended, so its branch has nothing left to show; the commit is on the followed branch or nowhere.
    try {
      await this.o.source.deleteBranch({ branch: requestBranch(t, p) });
    } catch (e) {
      this.o.log?.warn?.(
        { promotionId: p.id, branch: requestBranch(t, p) },
        `deleting the request branch failed: ${describeError(e)}`,
      );
    }
  }

  private now(): string {
    return (this.o.now?.() ?? new Date()).toISOString();
  }
}
